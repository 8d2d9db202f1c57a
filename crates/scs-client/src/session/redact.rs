//! Redaction of secrets in what is logged at TRACE, and in the messages of
//! error answers, which may quote what the request sent.

use serde_json::Value;

const REDACTED: &str = "<redacted>";

/// The longest error message of a service kept, in bytes: enough for any
/// explanation, short of the echo of a whole request body.
pub const MAX_MESSAGE: usize = 1024;

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

/// The secrets of a JSON request body: every string under a secret-bearing
/// key, at any depth (a `user_data` as sent, Base64-encoded).
pub fn secret_values(body: &[u8]) -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            Value::Object(m) => m.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if is_secret_key(k) {
                        strings(v, out);
                    } else {
                        walk(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        walk(&v, &mut out);
    }
    out
}

/// `text` with every occurrence of a secret replaced, as written and as
/// JSON or a Python repr would escape it (services quote values both ways).
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut forms: Vec<String> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        forms.push(secret.clone());
        if let Ok(json) = serde_json::to_string(secret) {
            forms.push(json[1..json.len() - 1].to_owned());
        }
        forms.push(python_escaped(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut out = text.to_owned();
    for form in &forms {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), REDACTED);
        }
    }
    out
}

/// `text` as the body of a Python string repr (what jsonschema's messages
/// in Nova and Cinder quote).
fn python_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `max` bytes on a character boundary, marked with
/// an ellipsis and the original length when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
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

    #[test]
    fn secret_values_of_a_request_body() {
        let body = serde_json::json!({"server": {"name": "web", "user_data": "IyEvYmluL3No",
            "adminPass": "", "metadata": {"password": ["p1", {"x": "p2"}]}}});
        let mut found = secret_values(body.to_string().as_bytes());
        found.sort();
        assert_eq!(found, ["IyEvYmluL3No", "p1", "p2"]);
        assert!(secret_values(b"not json").is_empty());
    }

    #[test]
    fn scrub_replaces_plain_and_escaped_forms() {
        let secrets = vec!["#!/bin/sh\necho \"hi\"".to_owned(), "IyEv".to_owned()];
        let text = "Invalid input: '#!/bin/sh\\necho \"hi\"', #!/bin/sh\necho \"hi\", \
                    {\"v\": \"#!/bin/sh\\necho \\\"hi\\\"\"} and IyEvIyEv";
        let out = scrub(text, &secrets);
        assert!(!out.contains("bin/sh") && !out.contains("IyEv"), "{out}");
        assert_eq!(scrub("nothing", &[String::new()]), "nothing");
    }

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip("short", 10), "short");
        let long = "ä".repeat(10);
        let cut = clip(&long, 5);
        assert!(cut.starts_with("ää…"), "{cut}");
        assert!(cut.ends_with("(20 bytes in all)"), "{cut}");
    }
}
