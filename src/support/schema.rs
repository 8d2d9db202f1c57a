//! Attributes many resources have, built one way: use them as
//! `#[tf(schema = support::schema::region)]` on a model field.

use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::schema::Attribute;
use tfplugin::value::{Type, Value};

use super::text::{description_validator, name_validator};

/// `region`: optional, defaults to the provider's, and moving regions means a new object.
pub fn region(name: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .computed()
        .requires_replace()
        .use_state_for_unknown()
        .description("The region to manage the object in. Defaults to the provider's region.")
}

/// `tags`: a set of strings, changed in place.
pub fn tags(name: &str) -> Attribute {
    Attribute::set(name, Type::String)
        .optional()
        .description(
            "A set of string tags, updated in place (one call that sets the whole set, only when it changed).",
        )
}

/// `name`: optional, checked against what Neutron and Cinder store; `text` says what the name
/// means for this kind of object. Use as `#[tf(schema = name("A name for the network."))]`.
pub fn name(text: &'static str) -> impl Fn(&str) -> Attribute {
    move |attr| {
        Attribute::string(attr)
            .optional()
            .validator(name_validator)
            .description(text)
    }
}

/// `description`: optional free text, checked against what the APIs store; `text` describes it for
/// this kind of object.
pub fn description(text: &'static str) -> impl Fn(&str) -> Attribute {
    move |attr| {
        Attribute::string(attr)
            .optional()
            .validator(description_validator)
            .description(text)
    }
}

/// The body of a schema validator for a string attribute: `check`'s complaint about a string
/// value, reported on the attribute under `summary`. Null and unknown values pass (the schema
/// says whether they may be).
pub fn check_string<T, E: Into<String>>(
    v: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
    summary: &str,
    check: impl FnOnce(&str) -> Result<T, E>,
) {
    if let Some(text) = v.as_str()
        && let Err(e) = check(text)
    {
        diags.error_at(path.clone(), summary, e);
    }
}
