//! Finding the one flavor a configuration names: by id, or by name with the SCS name variants
//! counted as names (`SCS-2V:4` finds the flavor called `SCS-2V-4` and the other way round, and
//! every `scs:name-vN` extra spec is a name of its flavor).
//!
//! A name lookup costs one listing (`flavors/detail`, which carries the extra specs from
//! microversion 2.61 on). On older clouds the listing has no extra specs and they are not fetched
//! flavor by flavor: the name then matches the flavor's own name in either SCS syntax, and only
//! the chosen flavor's specs are read.

use std::collections::BTreeMap;
use std::fmt;

use super::flavor::{Flavor, get_flavor, get_flavor_extra_specs, list_flavor_summaries};
use super::server::ServerFlavor;
use crate::error::Result;
use crate::scs::flavor_select::{NamedFlavor, flavor_has_name, flavors_named};
use crate::session::Client;

/// How a configuration names a flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlavorRef<'a> {
    Id(&'a str),
    /// A name in either SCS syntax, or one of the flavor's `scs:name-vN` variants.
    Name(&'a str),
}

/// Why no single flavor was found. The cloud answered; this is about what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlavorLookupError {
    /// No flavor has this id.
    NoSuchId(String),
    /// No flavor answers to this name among the `checked` ones this project may use.
    NoSuchName { name: String, checked: usize },
    /// No flavor has this name as its own, and several answer to it: `(name, id)` of each.
    Ambiguous {
        name: String,
        candidates: Vec<(String, String)>,
    },
}

impl FlavorLookupError {
    /// A title for the failure (the details are in `Display`).
    pub fn summary(&self) -> &'static str {
        match self {
            FlavorLookupError::NoSuchId(_) | FlavorLookupError::NoSuchName { .. } => {
                "Flavor not found"
            }
            FlavorLookupError::Ambiguous { .. } => "Ambiguous flavor name",
        }
    }
}

impl fmt::Display for FlavorLookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlavorLookupError::NoSuchId(id) => write!(f, "There is no flavor with id {id:?}."),
            FlavorLookupError::NoSuchName { name, checked } => write!(
                f,
                "There is no flavor named {name:?} that this project may use ({checked} flavors checked, \
                 including scs:name-vN variants and the other SCS name syntax)."
            ),
            FlavorLookupError::Ambiguous { name, candidates } => {
                let listed: Vec<String> = candidates
                    .iter()
                    .map(|(name, id)| format!("{name} ({id})"))
                    .collect();
                write!(
                    f,
                    "{} flavors answer to {name:?}: {}. Name one of them by its own name.",
                    candidates.len(),
                    listed.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for FlavorLookupError {}

impl NamedFlavor for Flavor {
    fn flavor_name(&self) -> &str {
        &self.name
    }

    fn flavor_extra_specs(&self) -> &BTreeMap<String, String> {
        &self.extra_specs
    }
}

impl NamedFlavor for ServerFlavor {
    fn flavor_name(&self) -> &str {
        self.original_name.as_deref().unwrap_or_default()
    }

    fn flavor_extra_specs(&self) -> &BTreeMap<String, String> {
        &self.extra_specs
    }
}

impl ServerFlavor {
    /// Whether `name` names the flavor the server runs on, in any spelling [`find_flavor`]
    /// accepts: a configured name that found this flavor still describes the server.
    pub fn answers_to(&self, name: &str) -> bool {
        self.original_name.is_some() && flavor_has_name(self, name)
    }
}

/// The flavor `wanted` names, with its extra specs. The outer error is a failed request; the
/// inner one says that no single flavor matched.
///
/// A name that is some flavor's own name finds that flavor; otherwise every flavor that answers
/// to it counts, and more than one is an error naming them all.
pub async fn find_flavor(
    client: &Client,
    wanted: FlavorRef<'_>,
) -> Result<std::result::Result<Flavor, FlavorLookupError>> {
    let name = match wanted {
        FlavorRef::Id(id) => {
            return Ok(get_flavor(client, id)
                .await?
                .ok_or_else(|| FlavorLookupError::NoSuchId(id.to_owned())));
        }
        FlavorRef::Name(name) => name,
    };
    let (flavors, with_specs) = list_flavor_summaries(client).await?;
    let found = flavors_named(&flavors, name);
    let mut flavor = match found.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Ok(Err(FlavorLookupError::NoSuchName {
                name: name.to_owned(),
                checked: flavors.len(),
            }));
        }
        many => {
            return Ok(Err(FlavorLookupError::Ambiguous {
                name: name.to_owned(),
                candidates: many
                    .iter()
                    .map(|f| (f.name.clone(), f.id.clone()))
                    .collect(),
            }));
        }
    };
    if !with_specs {
        flavor.extra_specs = get_flavor_extra_specs(client, &flavor.id).await?;
    }
    Ok(Ok(flavor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_flavor_answers_to_its_names_in_either_syntax() {
        let f = ServerFlavor {
            original_name: Some("SCS-2V-4".into()),
            extra_specs: BTreeMap::from([("scs:name-v3".into(), "SCS-2V-4_kvm".into())]),
            ..Default::default()
        };
        assert!(f.answers_to("SCS-2V-4"));
        assert!(f.answers_to("SCS-2V:4"));
        assert!(f.answers_to("SCS-2V-4_kvm"));
        assert!(!f.answers_to("SCS-2V-8"));
        assert!(!ServerFlavor::default().answers_to(""));
    }

    #[test]
    fn messages_name_what_was_asked_and_what_was_found() {
        let e = FlavorLookupError::Ambiguous {
            name: "SCS-2V:4".into(),
            candidates: vec![("SCS-2V-4".into(), "a".into()), ("m1".into(), "b".into())],
        };
        assert_eq!(e.summary(), "Ambiguous flavor name");
        assert_eq!(
            e.to_string(),
            "2 flavors answer to \"SCS-2V:4\": SCS-2V-4 (a), m1 (b). Name one of them by its own name."
        );
        let e = FlavorLookupError::NoSuchName {
            name: "x".into(),
            checked: 3,
        };
        assert!(e.to_string().contains("\"x\""), "{e}");
        assert!(e.to_string().contains("3 flavors checked"), "{e}");
    }
}
