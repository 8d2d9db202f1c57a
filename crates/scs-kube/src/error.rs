//! What goes wrong talking to the management cluster.

/// A failure of a request or a wait. Messages carry the API server's own message and reason.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection settings do not describe a usable management cluster.
    #[error("{0}")]
    Config(String),
    /// The API server answered with an error status.
    #[error("{operation}: {message} ({reason}, HTTP {code})")]
    Api {
        operation: String,
        code: u16,
        reason: String,
        message: String,
    },
    /// The request did not get an answer (connection, TLS, decoding).
    #[error("{operation}: {message}")]
    Request { operation: String, message: String },
    /// The API group or version the operation needs is not served by the management cluster.
    #[error("{0}")]
    NotServed(String),
    /// A wait ended before the object was ready; `status` says where the object stood.
    #[error("timed out waiting for {what}; {status}")]
    Timeout { what: String, status: String },
    /// An object does not have the form its kind promises.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// The error of `operation` for what the client returned.
    pub fn from_kube(operation: impl Into<String>, err: kube::Error) -> Self {
        let operation = operation.into();
        match err {
            kube::Error::Api(status) => Error::Api {
                operation,
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            other => Error::Request {
                operation,
                message: describe_chain(&other),
            },
        }
    }

    /// The HTTP status of an API error.
    pub fn code(&self) -> Option<u16> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the API server said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }

    /// Whether the management cluster could not be reached at all (as opposed to refusing).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Error::Request { .. } | Error::Config(_))
    }
}

/// An error and its sources on one line: hyper's and rustls's errors say the useful part in a
/// source.
fn describe_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_the_servers_message_and_reason() {
        let status =
            kube::core::Status::failure("clusterstacks \"x\" not found", "NotFound").with_code(404);
        let err = Error::from_kube("read ClusterStack ns/x", kube::Error::Api(Box::new(status)));
        assert!(err.is_not_found());
        let text = err.to_string();
        assert!(text.contains("read ClusterStack ns/x"), "{text}");
        assert!(text.contains("not found"), "{text}");
        assert!(text.contains("NotFound"), "{text}");
        assert!(!err.is_unreachable());
    }
}
