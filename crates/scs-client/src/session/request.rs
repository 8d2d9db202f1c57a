//! One API request: builder, the retry loop, and the response.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::redact::{MAX_MESSAGE, clip, scrub, secret_values};
use super::{
    DEFAULT_REQUEST_TIMEOUT, ServiceClient, redact_text, request_id_of, transport_message,
};
use crate::auth::Token;
use crate::error::{ApiError, Error, Result, parse_openstack_error};
use crate::microversion::{Microversion, headers_for};
use crate::retry::{is_idempotent, retry_after, retryable_status, retryable_transport};

/// A request being built. Nothing is sent until a terminal method
/// (`send`, `json`, `paginate`) is awaited.
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    svc: ServiceClient,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<(Bytes, HeaderValue)>,
    microversion: Option<Microversion>,
    deadline: Option<Instant>,
    operation: Option<String>,
    idempotent: Option<bool>,
    cancel: Option<CancellationToken>,
    /// A builder mistake (bad header, unserializable body), reported on send.
    invalid: Option<String>,
}

impl Request {
    pub(crate) fn new(svc: ServiceClient, method: Method, path: String) -> Self {
        Self {
            svc,
            method,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            microversion: None,
            deadline: None,
            operation: None,
            idempotent: None,
            cancel: None,
            invalid: None,
        }
    }

    /// Ask for an API microversion; fails before sending if the cloud's
    /// maximum is lower.
    pub fn microversion(mut self, mv: Microversion) -> Self {
        self.microversion = Some(mv);
        self
    }

    /// Adds a header (replacing one of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => self.invalid = Some(format!("invalid header '{name}'")),
        }
        self
    }

    /// Adds query parameters (repeated keys allowed, e.g. `tags`).
    pub fn query<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: ToString,
    {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.to_string())));
        self
    }

    /// Adds query parameters from a struct (serde_urlencoded; `None`s skipped).
    pub fn query_struct<Q: Serialize + ?Sized>(mut self, q: &Q) -> Self {
        match serde_urlencoded::to_string(q) {
            Ok(s) => self
                .query
                .extend(url::form_urlencoded::parse(s.as_bytes()).into_owned()),
            Err(e) => self.invalid = Some(format!("cannot encode query: {e}")),
        }
        self
    }

    /// JSON body (`Content-Type: application/json`).
    pub fn json_body<B: Serialize + ?Sized>(self, body: &B) -> Self {
        self.json_body_as(body, "application/json")
    }

    /// JSON body with another content type (Glance's
    /// `application/openstack-images-v2.1-json-patch`).
    pub fn json_body_as<B: Serialize + ?Sized>(mut self, body: &B, content_type: &str) -> Self {
        match (
            serde_json::to_vec(body),
            HeaderValue::from_str(content_type),
        ) {
            (Ok(b), Ok(ct)) => self.body = Some((Bytes::from(b), ct)),
            (Err(e), _) => self.invalid = Some(format!("cannot encode body: {e}")),
            (_, Err(_)) => self.invalid = Some(format!("invalid content type '{content_type}'")),
        }
        self
    }

    /// Raw body (image data).
    pub fn body_bytes(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => self.body = Some((body.into(), ct)),
            Err(_) => self.invalid = Some(format!("invalid content type '{content_type}'")),
        }
        self
    }

    /// Overall deadline for this request, retries included.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Overall timeout from now, retries included.
    pub fn timeout(self, d: Duration) -> Self {
        self.deadline(Instant::now() + d)
    }

    /// Names the operation in errors and logs ("create network foo").
    pub fn operation(mut self, op: impl Into<String>) -> Self {
        self.operation = Some(op.into());
        self
    }

    /// Overrides the method's idempotency (e.g. a POST action that is safe to
    /// repeat, like `os-stop`), which decides whether 5xx/resets are retried.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = Some(yes);
        self
    }

    /// Cancels the request when `token` fires (in addition to the client's
    /// own cancellation).
    pub fn cancel_on(mut self, token: &CancellationToken) -> Self {
        self.cancel = Some(token.clone());
        self
    }

    /// Sends; non-2xx answers become [`Error::Api`].
    pub async fn send(self) -> Result<Response> {
        let op = self.operation.clone().unwrap_or_else(|| {
            let path = self.path.split('?').next().unwrap_or("");
            format!("{} {} {}", self.svc.service_type(), self.method, path)
        });
        if let Some(msg) = &self.invalid {
            return Err(Error::InvalidRequest {
                operation: op,
                message: msg.clone(),
            });
        }
        let deadline = self
            .deadline
            .unwrap_or_else(|| Instant::now() + DEFAULT_REQUEST_TIMEOUT);
        let started = Instant::now();
        let client_cancel = self.svc.client().cancellation().clone();
        let own_cancel = self.cancel.clone().unwrap_or_else(|| client_cancel.clone());
        // A request that is not safe to repeat (a create) is not abandoned once it may have gone
        // out: its answer is the only record of what it made. It stops at its next attempt
        // instead (see `run`), and always at its deadline.
        let abandon_on_cancel = self.is_idempotent();
        let cancelled = async {
            if abandon_on_cancel {
                tokio::select! {
                    _ = client_cancel.cancelled() => {}
                    _ = own_cancel.cancelled() => {}
                }
            } else {
                std::future::pending::<()>().await
            }
        };
        // Listings kept for reads are stale once a write may have happened: from its start, and
        // again at its end, so no listing taken while it ran is used.
        let writes = !matches!(self.method, Method::GET | Method::HEAD);
        if writes {
            self.svc.client().write_seen();
        }
        let client = self.svc.client().clone();
        let answer = tokio::select! {
            biased;
            _ = cancelled => Err(Error::Cancelled { operation: op }),
            _ = tokio::time::sleep_until(deadline) => Err(Error::Timeout {
                operation: op,
                after: started.elapsed(),
                last_status: None,
            }),
            r = self.run(op.clone(), deadline) => r,
        };
        if writes {
            client.write_seen();
        }
        answer
    }

    fn is_idempotent(&self) -> bool {
        self.idempotent
            .unwrap_or_else(|| is_idempotent(&self.method))
    }

    fn is_cancelled(&self) -> bool {
        self.svc.client().cancellation().is_cancelled()
            || self
                .cancel
                .as_ref()
                .is_some_and(CancellationToken::is_cancelled)
    }

    /// Sends and decodes the JSON body.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json()
    }

    /// Follows every page of a list: `<key>_links`, Glance `next`, Keystone
    /// `links.next`, or `limit` + `marker`; only the next link's query is used.
    pub async fn paginate<T: DeserializeOwned>(self, key: &str) -> Result<Vec<T>> {
        super::paginate::paginate(self, key).await
    }

    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    pub(crate) fn replace_query(&mut self, q: Vec<(String, String)>) {
        self.query = q;
    }

    pub(crate) fn try_clone(&self) -> Self {
        Self {
            svc: self.svc.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            microversion: self.microversion,
            deadline: self.deadline,
            operation: self.operation.clone(),
            idempotent: self.idempotent,
            cancel: self.cancel.clone(),
            invalid: self.invalid.clone(),
        }
    }

    pub(crate) fn set_deadline_if_unset(&mut self, at: Instant) {
        self.deadline.get_or_insert(at);
    }

    async fn url(&self, op: &str) -> Result<Url> {
        let base = self.svc.base_url().await?;
        let mut url = if self.path.starts_with("http://") || self.path.starts_with("https://") {
            let u = Url::parse(&self.path).map_err(|e| Error::InvalidRequest {
                operation: op.to_owned(),
                message: format!("bad URL: {e}"),
            })?;
            // The token goes with every request: never to another host than
            // the service's (links in answers may name internal hosts).
            if u.origin() != base.origin() {
                return Err(Error::InvalidRequest {
                    operation: op.to_owned(),
                    message: format!(
                        "URL {u} is not on the {} endpoint {base}",
                        self.svc.service_type()
                    ),
                });
            }
            u
        } else {
            base.join(self.path.trim_start_matches('/'))
                .map_err(|e| Error::InvalidRequest {
                    operation: op.to_owned(),
                    message: format!("bad path '{}': {e}", self.path),
                })?
        };
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        Ok(url)
    }

    async fn run(self, op: String, deadline: Instant) -> Result<Response> {
        let client = self.svc.client().clone();
        let service = self.svc.service_type();
        let url = self.url(&op).await?;
        let mut headers = self.headers.clone();
        if let Some(mv) = self.microversion {
            let range = self.svc.version_range().await?;
            if !range.supports(mv) {
                return Err(Error::MicroversionUnsupported {
                    operation: op,
                    service: service.key().to_owned(),
                    wanted: mv,
                    max: range.max,
                });
            }
            for (k, v) in headers_for(service, mv) {
                headers.insert(k, v);
            }
        }
        headers
            .entry(http::header::ACCEPT)
            .or_insert(HeaderValue::from_static("application/json"));
        let idempotent = self.is_idempotent();
        // What the body carries under secret-bearing keys: an error answer
        // that quotes it (Nova's 400 quotes an invalid user_data) must not
        // carry it into a diagnostic or a log line.
        let secrets = self
            .body
            .as_ref()
            .map(|(body, _)| secret_values(body))
            .unwrap_or_default();
        let policy = client.policy();
        let limit = client.limit(service);
        let mut retries = 0u32;
        let mut reauthed = false;
        let mut token = client.token().await?;

        loop {
            let attempt = retries + 1;
            if self.is_cancelled() {
                // Before (another) attempt goes out: nothing of it can have happened.
                return Err(Error::Cancelled { operation: op });
            }
            let _permit = match &limit {
                Some(sem) => {
                    Some(
                        sem.clone()
                            .acquire_owned()
                            .await
                            .map_err(|_| Error::Cancelled {
                                operation: op.clone(),
                            })?,
                    )
                }
                None => None,
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut rb = client
                .http()
                .request(self.method.clone(), url.clone())
                .headers(headers.clone())
                .header("x-auth-token", auth_header(&token, &op)?)
                .timeout(remaining.max(Duration::from_millis(1)));
            if let Some((body, ct)) = &self.body {
                rb = rb
                    .header(http::header::CONTENT_TYPE, ct.clone())
                    .body(body.clone());
            }
            tracing::debug!(target: "scs_client::http", operation = %op, method = %self.method, url = %url, attempt, "request");
            if let Some((body, _)) = &self.body {
                tracing::trace!(target: "scs_client::http", operation = %op, body = %redact_text(body), "request body");
            }
            let sent_at = Instant::now();
            let outcome = match rb.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let resp_headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(body) => Ok((status, resp_headers, body)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            drop(_permit);

            let (status, resp_headers, body) = match outcome {
                Ok(x) => x,
                Err(e) => {
                    let never_sent = e.is_connect();
                    let message = transport_message(&e);
                    if e.is_timeout() && Instant::now() >= deadline {
                        return Err(Error::Timeout {
                            operation: op,
                            after: sent_at.elapsed(),
                            last_status: None,
                        });
                    }
                    let wait = policy.backoff(retries);
                    // A backoff that would end past the deadline is skipped:
                    // the connection error now says more than a timeout later.
                    if retryable_transport(never_sent, idempotent)
                        && retries < policy.max_retries
                        && Instant::now() + wait < deadline
                    {
                        tracing::warn!(target: "scs_client::retry", operation = %op, attempt, error = %message, wait_ms = wait.as_millis() as u64, "connection failed; retrying");
                        tokio::time::sleep(wait).await;
                        retries += 1;
                        continue;
                    }
                    return Err(Error::Transport {
                        operation: op,
                        message,
                        may_have_reached_server: !never_sent,
                        attempts: attempt,
                    });
                }
            };
            client.observe_date(&resp_headers);
            let request_id = request_id_of(&resp_headers);
            tracing::debug!(
                target: "scs_client::http",
                operation = %op,
                status = status.as_u16(),
                request_id = request_id.as_deref().unwrap_or("-"),
                elapsed_ms = sent_at.elapsed().as_millis() as u64,
                "response"
            );
            tracing::trace!(target: "scs_client::http", operation = %op, body = %scrub(&redact_text(&body), &secrets), "response body");

            if status.is_success() {
                return Ok(Response {
                    status,
                    headers: resp_headers,
                    body,
                    request_id,
                    operation: op,
                });
            }
            if status == StatusCode::UNAUTHORIZED && !reauthed {
                reauthed = true;
                token = client.reauthenticate(&token).await?;
                continue;
            }
            if retryable_status(status, idempotent) && retries < policy.max_retries {
                let wait = retry_after(&resp_headers).unwrap_or_else(|| policy.backoff(retries));
                if Instant::now() + wait < deadline {
                    tracing::warn!(
                        target: "scs_client::retry",
                        operation = %op,
                        status = status.as_u16(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    retries += 1;
                    continue;
                }
            }
            let (message, error_type) = parse_openstack_error(&body);
            return Err(Error::Api(Box::new(ApiError {
                operation: op,
                status,
                message: message.map(|m| clip(&scrub(&m, &secrets), MAX_MESSAGE)),
                error_type,
                request_id,
                attempts: attempt,
            })));
        }
    }
}

fn auth_header(token: &Arc<Token>, op: &str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(token.value.expose()).map_err(|_| Error::InvalidRequest {
        operation: op.to_owned(),
        message: "the token contains characters not allowed in an HTTP header".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    request_id: Option<String>,
    operation: String,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header as text, if present and ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `x-openstack-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Decodes the JSON body. An empty body decodes as JSON `null` (so
    /// `()`/`Option<T>` work for 202/204 answers).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        self.json_borrowed()
    }

    /// [`Response::json`] for a type that may borrow from the body, such as
    /// the `&RawValue` text of each item of a long list.
    pub fn json_borrowed<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T> {
        let bytes: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(bytes).map_err(|e| Error::Decode {
            operation: self.operation.clone(),
            message: e.to_string(),
            request_id: self.request_id.clone(),
        })
    }
}
