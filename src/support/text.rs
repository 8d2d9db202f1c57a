//! Schema validators for the free text the APIs store with an object: names
//! and descriptions. A value the API refuses fails `validate` and `plan` on
//! its attribute instead of failing the apply halfway, and a control
//! character never reaches a database column or a log line of the cloud.
//!
//! Limits: Neutron keeps names and descriptions in columns of 255
//! characters (`NAME_MAX_LEN`, `DESCRIPTION_MAX_LEN`); Nova's server,
//! keypair and server group names are its `name` parameter type, 1 to 255
//! printable characters that neither begin nor end with a space; Cinder
//! checks volume names and descriptions against 255 characters. Lengths
//! count characters (code points), as the services do.
//!
//! Names take no control characters at all: a tab or a line break in a
//! name is always a mistake, and Nova refuses them. Descriptions may hold
//! tabs and line breaks, which Neutron and Cinder store as they are; every
//! other control character (NUL, escape, DEL, the C1 range) is refused.

use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use super::schema::check_string;

/// The longest name or description Neutron, Nova and Cinder store.
pub const MAX_CHARS: usize = 255;

/// Schema validator for the name of a Neutron or Cinder object.
pub fn name_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_string(v, path, diags, "Invalid name", check_name);
}

/// Schema validator for the name of a Nova object (server, keypair, server
/// group): also neither empty nor beginning or ending with a space.
pub fn nova_name_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_string(v, path, diags, "Invalid name", check_nova_name);
}

/// Schema validator for a description.
pub fn description_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_string(v, path, diags, "Invalid description", check_description);
}

pub fn check_name(text: &str) -> Result<(), String> {
    check(text, false)
}

pub fn check_nova_name(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Nova needs a name of at least one character.".to_owned());
    }
    check(text, false)?;
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err("Nova refuses names that begin or end with a space.".to_owned());
    }
    Ok(())
}

pub fn check_description(text: &str) -> Result<(), String> {
    check(text, true)
}

fn check(text: &str, line_breaks: bool) -> Result<(), String> {
    let allowed = |c: char| line_breaks && matches!(c, '\t' | '\n' | '\r');
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| is_control(c) && !allowed(c))
    {
        let what = if line_breaks {
            "control characters other than tab and line breaks"
        } else {
            "control characters (such as NUL, tab or a line break)"
        };
        return Err(format!(
            "It contains the control character {} at character {}; the cloud accepts no {what} here.",
            describe(c),
            at + 1
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_CHARS {
        return Err(format!(
            "It is {chars} characters long; the cloud stores at most {MAX_CHARS}."
        ));
    }
    Ok(())
}

/// Control characters (Unicode category Cc), and the line and paragraph
/// separators, which end a line like a line feed does.
fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `U+0000 (NUL)`: the code point, and the usual name of the common ones.
fn describe(c: char) -> String {
    let name = match c {
        '\0' => Some("NUL"),
        '\t' => Some("tab"),
        '\n' => Some("line feed"),
        '\r' => Some("carriage return"),
        '\u{1b}' => Some("escape"),
        '\u{7f}' => Some("DEL"),
        _ => None,
    };
    let code = format!("U+{:04X}", u32::from(c));
    match name {
        Some(n) => format!("{code} ({n})"),
        None => code,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    type Check = fn(&str) -> Result<(), String>;

    /// Each check, with text it takes and text it refuses: names take no control characters,
    /// descriptions may hold tabs and line breaks, Nova names are neither empty nor padded.
    const CHECKS: [(&str, Check, &[&str], &[&str]); 3] = [
        (
            "name",
            check_name,
            &["web-1 (blue)", "", "ünïcödé ✓"],
            &[
                "a\0b",
                "a\tb",
                "a\nb",
                "a\u{1b}[31m",
                "a\u{7f}",
                "a\u{85}",
                "a\u{2028}",
            ],
        ),
        (
            "description",
            check_description,
            &["line 1\n\tline 2\r\n"],
            &["a\0", "a\u{7}", "a\u{1b}", "a\u{7f}", "a\u{9b}"],
        ),
        (
            "Nova name",
            check_nova_name,
            &["web 1"],
            &["", " web", "web ", "web\u{a0}", "we\tb"],
        ),
    ];

    #[test]
    fn each_check_takes_and_refuses_what_its_service_does() {
        for (what, check, good, bad) in CHECKS {
            for text in good {
                assert_eq!(check(text), Ok(()), "{what} {text:?}");
            }
            for text in bad {
                assert!(check(text).is_err(), "{what} {text:?}");
            }
        }
    }

    #[test]
    fn a_refused_character_is_named_with_its_position() {
        let e = check_name("ab\0").unwrap_err();
        assert!(e.contains("U+0000 (NUL) at character 3"), "{e}");
    }

    #[test]
    fn length_counts_characters_up_to_255() {
        assert_eq!(check_name(&"x".repeat(255)), Ok(()));
        assert_eq!(
            check_name(&"ä".repeat(255)),
            Ok(()),
            "510 bytes, 255 characters"
        );
        let e = check_description(&"x".repeat(256)).unwrap_err();
        assert!(e.contains("256 characters") && e.contains("255"), "{e}");
    }

    #[test]
    fn validators_report_on_the_attribute_and_skip_other_values() {
        let path = AttributePath::attr("name");
        let mut d = Diagnostics::new();
        name_validator(&Value::from("a\0"), &path, &mut d);
        name_validator(&Value::Null, &path, &mut d);
        name_validator(&Value::Unknown, &path, &mut d);
        nova_name_validator(&Value::from("ok"), &path, &mut d);
        description_validator(&Value::from("ok\n"), &path, &mut d);
        assert_eq!(d.attribute_paths(), ["name"]);
    }
}
