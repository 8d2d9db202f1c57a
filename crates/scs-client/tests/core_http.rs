//! Request path against the in-process fake cloud: retries, re-auth,
//! deadlines, cancellation, microversions, pagination, error parsing.
#![allow(clippy::unwrap_used)]

mod core_support;

use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::{Error, Microversion, ServiceType};
use serde_json::{Value, json};

const NETS: &str = "/network/v2.0/networks";

fn nets(n: usize) -> Value {
    json!({"networks": (0..n).map(|i| json!({"id": format!("n{i}")})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn retries_429_honouring_retry_after() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![
            Action::JsonH(
                429,
                vec![("retry-after", "1".into())],
                json!({"message": "slow down"}),
            ),
            Action::ok(nets(1)),
        ],
    );
    let c = core_support::client(&mock, 3);
    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"][0]["id"], "n0");
    let hits = mock.hits("GET", NETS);
    assert_eq!(hits.len(), 2);
    // Retry-After is a lower bound: the retry must not come before it.
    assert!(hits[1].at.duration_since(hits[0].at) >= Duration::from_millis(950));
}

#[tokio::test]
async fn retries_429_without_retry_after_with_backoff() {
    let mock = FakeCloud::start().await;
    let too_many = Action::Json(429, json!({"message": "rate limited"}));
    mock.on(
        "GET",
        NETS,
        vec![too_many.clone(), too_many, Action::ok(nets(2))],
    );
    let c = core_support::client(&mock, 3);
    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"].as_array().unwrap().len(), 2);
    assert_eq!(mock.hits("GET", NETS).len(), 3);
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![Action::Json(429, json!({"message": "rate limited"}))],
    );
    let c = core_support::client(&mock, 2);
    let err = c
        .network()
        .get_json::<Value>("/networks")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(mock.hits("GET", NETS).len(), 3, "1 try + 2 retries");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![
            Action::Text(503, "<html>Service Unavailable</html>".into()),
            Action::ok(nets(1)),
        ],
    );
    let c = core_support::client(&mock, 3);
    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"][0]["id"], "n0");
    assert_eq!(mock.hits("GET", NETS).len(), 2);
}

#[tokio::test]
async fn post_is_not_retried_on_503_but_is_on_429() {
    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        NETS,
        vec![
            Action::Json(429, json!({"message": "rate limited"})),
            Action::Text(503, "unavailable".into()),
            Action::Json(201, json!({"network": {"id": "new"}})),
        ],
    );
    let c = core_support::client(&mock, 5);
    let err = c
        .network()
        .post_json::<_, Value>("/networks", &json!({"network": {"name": "x"}}))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.may_have_succeeded());
    assert_eq!(mock.hits("POST", NETS).len(), 2, "429 retried, 503 not");
}

#[tokio::test]
async fn reads_and_updates_are_retried_on_500_but_creates_are_not() {
    let mock = FakeCloud::start().await;
    let broken = Action::Json(
        500,
        json!({"NeutronError": {"type": "HTTPInternalServerError", "message": "Request Failed: internal server error while processing your request.", "detail": ""}}),
    );
    mock.on("GET", NETS, vec![broken.clone(), Action::ok(nets(1))]);
    let one = format!("{NETS}/n0");
    mock.on(
        "PUT",
        &one,
        vec![
            broken.clone(),
            Action::ok(json!({"network": {"id": "n0", "name": "renamed"}})),
        ],
    );
    mock.on(
        "POST",
        NETS,
        vec![broken, Action::Json(201, json!({"network": {"id": "dup"}}))],
    );
    let c = core_support::client(&mock, 3);

    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"][0]["id"], "n0");
    assert_eq!(mock.hits("GET", NETS).len(), 2);

    let v: Value = c
        .network()
        .put_json("/networks/n0", &json!({"network": {"name": "renamed"}}))
        .await
        .unwrap();
    assert_eq!(v["network"]["name"], "renamed");
    assert_eq!(mock.hits("PUT", &one).len(), 2);

    let err = c
        .network()
        .post_json::<_, Value>("/networks", &json!({"network": {"name": "x"}}))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        mock.hits("POST", NETS).len(),
        1,
        "a create is never repeated"
    );
}

/// A delete the service carried out although its answer was lost behind a gateway error: the
/// repeated DELETE finds nothing (404), and that is the success the caller wanted.
#[tokio::test]
async fn a_delete_answered_404_on_its_retry_is_done() {
    for status in [500, 502, 503, 504] {
        let mock = FakeCloud::openstack().await;
        let net = mock.insert(NETS, json!({"name": "gone-soon"}));
        let id = net["id"].as_str().unwrap().to_owned();
        mock.handle(
            "DELETE",
            "/network/v2.0/networks/*",
            move |store, req, _| match store.remove(NETS, &req.path_only()[NETS.len() + 1..]) {
                Some(_) => Action::error(req.path_only(), status, "upstream failed", "req-1"),
                None => Action::error(req.path_only(), 404, "Network could not be found.", "req-2"),
            },
        );
        let c = core_support::client(&mock, 3);
        scs_client::network::delete_network(&c, &id).await.unwrap();
        let hits = mock.hits("DELETE", &format!("{NETS}/{id}"));
        assert_eq!(hits.len(), 2, "{status}: one retry");
        assert!(mock.object(NETS, &id).is_none());
    }
}

#[tokio::test]
async fn a_delete_whose_connection_broke_is_retried() {
    let mock = FakeCloud::start().await;
    let one = format!("{NETS}/n0");
    mock.on(
        "DELETE",
        &one,
        vec![Action::Reset, Action::Text(204, String::new())],
    );
    let c = core_support::client(&mock, 3);
    scs_client::network::delete_network(&c, "n0").await.unwrap();
    assert_eq!(mock.hits("DELETE", &one).len(), 2);
}

#[tokio::test]
async fn connection_reset_is_retried_for_get() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::Reset, Action::ok(nets(1))]);
    let c = core_support::client(&mock, 3);
    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"][0]["id"], "n0");
    assert_eq!(mock.hits("GET", NETS).len(), 2);
}

#[tokio::test]
async fn connection_reset_on_post_is_not_retried_and_lookup_finds_the_object() {
    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        NETS,
        vec![
            Action::Reset,
            Action::Json(201, json!({"network": {"id": "dup"}})),
        ],
    );
    mock.on(
        "GET",
        NETS,
        vec![Action::ok(
            json!({"networks": [{"id": "made", "name": "x"}]}),
        )],
    );
    let c = core_support::client(&mock, 3);

    let err = c
        .network()
        .post_json::<_, Value>("/networks", &json!({"network": {"name": "x"}}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.may_have_succeeded());
    assert_eq!(mock.hits("POST", NETS).len(), 1);

    // Same again through create_with_lookup: the lookup finds it, no second POST.
    mock.on(
        "POST",
        NETS,
        vec![
            Action::Reset,
            Action::Json(201, json!({"network": {"id": "dup"}})),
        ],
    );
    let net = c.network();
    let id: String = c
        .create_with_lookup(
            "create network x",
            || async {
                let v: Value = net
                    .post_json("/networks", &json!({"network": {"name": "x"}}))
                    .await?;
                Ok(v["network"]["id"].as_str().unwrap_or("").to_owned())
            },
            || async {
                let l: Vec<Value> = net
                    .get("/networks")
                    .query([("name", "x")])
                    .paginate("networks")
                    .await?;
                Ok(l.first().and_then(|n| n["id"].as_str()).map(str::to_owned))
            },
        )
        .await
        .unwrap();
    assert_eq!(id, "made");
    assert_eq!(
        mock.hits("POST", NETS).len(),
        2,
        "one POST per call, no blind retry"
    );
}

#[tokio::test]
async fn reauthenticates_once_on_401() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    let c = core_support::client(&mock, 3);
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 1);
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 1, "token is reused");

    mock.revoke_tokens();
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 2, "one re-auth after 401");
    let hits = mock.hits("GET", NETS);
    assert_ne!(
        hits[hits.len() - 1].headers.get("x-auth-token"),
        hits[hits.len() - 2].headers.get("x-auth-token")
    );
}

#[tokio::test]
async fn persistent_401_fails_after_one_reauth() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![Action::Json(
            401,
            json!({"error": {"code": 401, "message": "nope"}}),
        )],
    );
    let c = core_support::client(&mock, 3);
    let err = c
        .network()
        .get_json::<Value>("/networks")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(mock.hits("GET", NETS).len(), 2);
    assert_eq!(mock.tokens_issued(), 2);
}

#[tokio::test]
async fn wrong_password_is_an_auth_error_with_keystone_message() {
    let mock = FakeCloud::start().await;
    let cfg = scs_client::config::CloudConfig::resolve_with(
        Default::default(),
        &scs_client::config::Sources::default()
            .with_env("OS_AUTH_URL", &mock.auth_url())
            .with_env("OS_USERNAME", "demo")
            .with_env("OS_PASSWORD", "wrong")
            .with_env("OS_PROJECT_NAME", "demo"),
    )
    .unwrap();
    let c = scs_client::Client::new(cfg).unwrap();
    let err = c.authenticate().await.unwrap_err();
    let s = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(
        s.contains("requires authentication") && s.contains("401"),
        "{s}"
    );
}

#[tokio::test]
async fn slow_response_past_deadline_times_out() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![Action::Delay(
            Duration::from_secs(30),
            Box::new(Action::ok(nets(1))),
        )],
    );
    let c = core_support::client(&mock, 3);
    let err = c
        .network()
        .get("/networks")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn cancel_all_aborts_in_flight_request() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![Action::Delay(
            Duration::from_secs(30),
            Box::new(Action::ok(nets(1))),
        )],
    );
    let c = core_support::client(&mock, 3);
    let c2 = c.clone();
    let waiter = tokio::spawn(async move { c2.network().get_json::<Value>("/networks").await });
    // Cancel once the request is at the server.
    while mock.hits("GET", NETS).is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    c.cancel_all();
    let err = waiter.await.unwrap().unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
}

#[tokio::test]
async fn microversion_header_and_too_old_cloud() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![Action::ok(json!({"flavors": []}))],
    );
    let c = core_support::client(&mock, 3);
    let compute = c.service(ServiceType::Compute);
    let _: Value = compute
        .get("/flavors/detail")
        .microversion(Microversion::new(2, 61))
        .json()
        .await
        .unwrap();
    let _: Value = compute
        .get("/flavors/detail")
        .microversion(Microversion::new(2, 79))
        .json()
        .await
        .unwrap();
    let hits = mock.hits("GET", "/compute/v2.1/flavors/detail");
    assert_eq!(
        hits[0]
            .headers
            .get("openstack-api-version")
            .map(String::as_str),
        Some("compute 2.61")
    );
    assert_eq!(
        hits[1]
            .headers
            .get("x-openstack-nova-api-version")
            .map(String::as_str),
        Some("2.79")
    );
    assert_eq!(
        mock.hits("GET", "/compute/v2.1/").len(),
        1,
        "version document read once"
    );

    let err = compute
        .get("/flavors/detail")
        .microversion(Microversion::new(2, 95))
        .send()
        .await
        .unwrap_err();
    let s = err.to_string();
    assert!(
        matches!(err, Error::MicroversionUnsupported { .. }),
        "{err:?}"
    );
    assert!(s.contains("2.95") && s.contains("2.90"), "{s}");
    assert_eq!(
        mock.hits("GET", "/compute/v2.1/flavors/detail").len(),
        2,
        "not sent"
    );
    assert!(
        compute
            .supports_microversion(Microversion::new(2, 90))
            .await
            .unwrap()
    );

    // Cinder: version under /v3 (project id dropped), id "v3.0".
    let bs = c.block_storage();
    assert!(
        bs.supports_microversion(Microversion::new(3, 60))
            .await
            .unwrap()
    );
    assert_eq!(mock.hits("GET", "/volume/v3/").len(), 1);
}

#[tokio::test]
async fn paginates_neutron_links_glance_next_and_markers() {
    let mock = FakeCloud::start().await;
    // Neutron: the next links point at a foreign host; only their query is used.
    mock.on(
        "GET",
        NETS,
        vec![
            Action::ok(json!({"networks": [{"id": "a"}, {"id": "b"}],
                "networks_links": [{"rel": "next", "href": "http://elsewhere.invalid/v2.0/networks?limit=2&marker=b"}]})),
            Action::ok(json!({"networks": [{"id": "c"}, {"id": "d"}],
                "networks_links": [{"rel": "next", "href": "http://elsewhere.invalid/v2.0/networks?limit=2&marker=d"},
                                   {"rel": "previous", "href": "http://elsewhere.invalid/v2.0/networks?marker=c&page_reverse=1"}]})),
            Action::ok(json!({"networks": [{"id": "e"}], "networks_links": [
                {"rel": "previous", "href": "http://elsewhere.invalid/v2.0/networks?marker=e&page_reverse=1"}]})),
        ],
    );
    let c = core_support::client(&mock, 3);
    let all: Vec<Value> = c
        .network()
        .get("/networks")
        .query([("limit", 2)])
        .paginate("networks")
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().filter_map(|n| n["id"].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let hits = mock.hits("GET", NETS);
    assert_eq!(hits[1].path, "/network/v2.0/networks?limit=2&marker=b");
    assert!(
        mock.requests()
            .iter()
            .all(|r| !r.path.contains("elsewhere"))
    );

    // Glance: relative `next`.
    mock.on(
        "GET",
        "/image/v2/images",
        vec![
            Action::ok(json!({"images": [{"id": "i1"}], "next": "/v2/images?marker=i1"})),
            Action::ok(json!({"images": [{"id": "i2"}], "first": "/v2/images"})),
        ],
    );
    let imgs: Vec<Value> = c.image().paginate("/images", "images").await.unwrap();
    assert_eq!(imgs.len(), 2);
    assert_eq!(
        mock.hits("GET", "/image/v2/images")[1].path,
        "/image/v2/images?marker=i1"
    );

    // No links but a full page with `limit`: marker pagination.
    mock.on(
        "GET",
        "/compute/v2.1/os-keypairs",
        vec![
            Action::ok(json!({"keypairs": [{"id": "k1"}, {"id": "k2"}]})),
            Action::ok(json!({"keypairs": [{"id": "k3"}]})),
        ],
    );
    let kps: Vec<Value> = c
        .compute()
        .get("/os-keypairs")
        .query([("limit", 2)])
        .paginate("keypairs")
        .await
        .unwrap();
    assert_eq!(kps.len(), 3);

    // An answer without the list, or with an item of the wrong shape, is an error that says so.
    mock.on(
        "GET",
        "/compute/v2.1/os-server-groups",
        vec![
            Action::ok(json!({"servers": []})),
            Action::ok(json!({"server_groups": [{"id": 7}]})),
        ],
    );
    for want in ["no 'server_groups' list", "invalid type"] {
        let err = c
            .compute()
            .get("/os-server-groups")
            .paginate::<Named>("server_groups")
            .await
            .unwrap_err();
        assert!(err.to_string().contains(want), "{err}");
    }
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Named {
    id: String,
}

#[tokio::test]
async fn api_errors_carry_message_type_and_request_id() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        "/network/v2.0/networks/x",
        vec![Action::Json(
            404,
            json!({"NeutronError": {"type": "NetworkNotFound", "message": "Network x could not be found.", "detail": ""}}),
        )],
    );
    mock.on(
        "POST",
        "/network/v2.0/security-group-rules",
        vec![Action::Json(
            409,
            json!({"NeutronError": {"type": "SecurityGroupRuleExists", "message": "Security group rule already exists. Rule id is r1.", "detail": ""}}),
        )],
    );
    let c = core_support::client(&mock, 3);
    let err = c
        .network()
        .get("/networks/x")
        .operation("read network x")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("req-404-abc"));
    assert_eq!(err.error_type(), Some("NetworkNotFound"));
    let s = err.to_string();
    assert!(s.starts_with("read network x: HTTP 404"), "{s}");
    assert!(s.contains("Network x could not be found."), "{s}");

    let err = c
        .network()
        .post_json::<_, Value>("/security-group-rules", &json!({}))
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(err.error_type(), Some("SecurityGroupRuleExists"));
}

#[tokio::test]
async fn per_service_concurrency_limit_and_connection_reuse() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        NETS,
        vec![Action::Delay(
            Duration::from_millis(100),
            Box::new(Action::ok(nets(1))),
        )],
    );
    let c = core_support::client_with(&mock, 3, 2);
    c.authenticate().await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.network().get_json::<Value>("/networks").await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // The fake counts requests being handled at once (auth is over by now).
    assert_eq!(mock.max_in_flight(), 2);
    assert!(
        mock.connections() <= 2,
        "connections: {}",
        mock.connections()
    );

    // Sequential requests share one pooled connection.
    let before = mock.connections();
    for _ in 0..5 {
        let _: Value = c.network().get_json("/networks").await.unwrap();
    }
    assert_eq!(mock.connections(), before);
}

#[tokio::test]
async fn endpoint_override_and_missing_service() {
    let mock = FakeCloud::start().await;
    mock.on("GET", "/custom/v2.0/networks", vec![Action::ok(nets(3))]);
    let mut overrides = scs_client::config::Overrides::default();
    overrides
        .endpoint_overrides
        .insert("networking".into(), format!("{}/custom", mock.base()));
    let cfg = scs_client::config::CloudConfig::resolve_with(
        overrides,
        &scs_client::config::Sources::default()
            .with_env("OS_AUTH_URL", &mock.auth_url())
            .with_env("OS_USERNAME", "demo")
            .with_env("OS_PASSWORD", core_support::PASSWORD)
            .with_env("OS_PROJECT_NAME", "demo")
            .with_env("OS_REGION_NAME", "Nowhere"),
    )
    .unwrap();
    let c = scs_client::Client::new(cfg).unwrap();
    let v: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"].as_array().unwrap().len(), 3);
    // Region "Nowhere" has no compute endpoint: the error lists what exists.
    let err = c.compute().get_json::<Value>("/servers").await.unwrap_err();
    let s = err.to_string();
    assert!(
        s.contains("compute") && s.contains("Nowhere") && s.contains("public@RegionOne"),
        "{s}"
    );
}

#[tokio::test]
async fn token_is_reissued_before_it_expires() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    // 4 s lifetime: fresh for 3 s (a quarter is the safety margin).
    mock.set_token_lifetime(Duration::from_secs(4));
    let c = core_support::client(&mock, 3);
    let _: Value = c.network().get_json("/networks").await.unwrap();
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 1, "fresh token reused");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 2, "stale token re-issued before use");
    let hits = mock.hits("GET", NETS);
    assert_ne!(
        hits[1].headers.get("x-auth-token"),
        hits[2].headers.get("x-auth-token")
    );
}

#[tokio::test]
async fn other_region_shares_the_token() {
    let mock = FakeCloud::start().await;
    mock.on("GET", "/network2/v2.0/networks", vec![Action::ok(nets(2))]);
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    let c = core_support::client(&mock, 3);
    let two = c.network().in_region(Some("RegionTwo"));
    let v: Value = two.get_json("/networks").await.unwrap();
    assert_eq!(v["networks"].as_array().unwrap().len(), 2);
    let v: Value = c
        .network()
        .in_region(Some(""))
        .get_json("/networks")
        .await
        .unwrap();
    assert_eq!(v["networks"].as_array().unwrap().len(), 1);
    // The same through a client-level region (typed calls take `&Client`).
    let c2 = c.in_region(Some("RegionTwo"));
    assert_eq!(c2.region(), Some("RegionTwo"));
    let v: Value = c2.network().get_json("/networks").await.unwrap();
    assert_eq!(v["networks"].as_array().unwrap().len(), 2);
    assert_eq!(c.region(), Some("RegionOne"));
    assert_eq!(mock.tokens_issued(), 1);
    let err = c
        .compute()
        .in_region(Some("RegionTwo"))
        .get_json::<Value>("/servers")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Catalog { .. }), "{err:?}");
}

#[tokio::test]
async fn absolute_urls_must_stay_on_the_service_endpoint() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    let c = core_support::client(&mock, 3);
    let same = format!("{}/network/v2.0/networks", mock.base());
    let v: Value = c.network().get_json(&same).await.unwrap();
    assert_eq!(v["networks"][0]["id"], "n0");
    let err = c
        .network()
        .get_json::<Value>("http://198.51.100.7:9696/v2.0/networks")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
}

#[tokio::test]
async fn token_auth_without_project_uses_the_given_token() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    mock.add_valid_token("given-token-1");
    let cfg = scs_client::config::CloudConfig::resolve_with(
        Default::default(),
        &scs_client::config::Sources::default()
            .with_env("OS_AUTH_URL", &mock.auth_url())
            .with_env("OS_TOKEN", "given-token-1"),
    )
    .unwrap();
    let c = scs_client::Client::new(cfg).unwrap();
    let info = c.authenticate().await.unwrap();
    assert_eq!(info.project_id.as_deref(), Some("proj-1"));
    let _: Value = c.network().get_json("/networks").await.unwrap();
    assert_eq!(mock.tokens_issued(), 0, "no new token was issued");
    assert_eq!(
        mock.hits("GET", NETS)[0]
            .headers
            .get("x-auth-token")
            .map(String::as_str),
        Some("given-token-1")
    );
}

#[tokio::test]
async fn concurrent_401s_cause_a_single_reauthentication() {
    let mock = FakeCloud::start().await;
    mock.on("GET", NETS, vec![Action::ok(nets(1))]);
    let c = core_support::client(&mock, 3);
    c.authenticate().await.unwrap();
    mock.revoke_tokens();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.network().get_json::<Value>("/networks").await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        mock.tokens_issued(),
        2,
        "one shared re-auth, not one per request"
    );
}
