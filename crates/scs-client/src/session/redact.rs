//! Redaction of secrets in what is logged at TRACE.

use serde_json::Value;

const REDACTED: &str = "<redacted>";

/// Keys whose values are secrets (case-insensitive substring match), as
/// they appear in Keystone auth bodies, Nova `adminPass`, keypair
/// `private_key`, application credential `secret`, and `user_data`
/// (cloud-init often carries credentials).
fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "adminpass",
        "private_key",
        "user_data",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// A copy of `v` with secret-bearing values replaced.
pub fn redact_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let nv = if is_secret_key(k) {
                        Value::String(REDACTED.into())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), nv)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// A body made loggable: JSON redacted; anything else summarised by size
/// (non-JSON bodies are image data or HTML error pages, neither worth a log).
pub fn redact_text(body: &[u8]) -> String {
    const MAX: usize = 4096;
    if body.is_empty() {
        return String::new();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => {
            let s = redact_json(&v).to_string();
            if s.len() > MAX {
                let cut: String = s.chars().take(MAX).collect();
                format!("{cut}… ({} bytes)", body.len())
            } else {
                s
            }
        }
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_secrets_are_replaced() {
        let v = serde_json::json!({"auth": {"identity": {"password": {"user": {"name": "u", "password": "pw"}},
            "application_credential": {"id": "x", "secret": "s"}, "token": {"id": "t"}}},
            "server": {"adminPass": "ap", "name": "n"}});
        let s = redact_json(&v).to_string();
        for bad in ["\"pw\"", "\"s\"", "\"t\"", "\"ap\""] {
            assert!(!s.contains(bad), "{bad} leaked in {s}");
        }
        assert!(s.contains("\"n\""));
    }
}
