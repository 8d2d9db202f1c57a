//! Attributes many resources have, built one way: use them as
//! `#[tf(schema = support::schema::region)]` on a model field.

use tfplugin::schema::Attribute;
use tfplugin::value::Type;

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
