//! The `migrate` command's view of the mapping table in [`super::openstack`]: the same entries,
//! keyed for lookups while walking HCL.

use super::hcl::{Action, Rules, TypeRule};
use super::openstack::{DATA_SOURCES, RESOURCES, ResourceMapping, Target};

/// The rules `migrate` translates with, built from [`RESOURCES`] and [`DATA_SOURCES`].
pub fn rules() -> Rules {
    let resources = RESOURCES.iter().map(|m| type_rule(m, false));
    let data_sources = DATA_SOURCES.iter().map(|m| type_rule(m, true));
    Rules::new(resources.chain(data_sources))
}

fn type_rule(mapping: &ResourceMapping, data_source: bool) -> TypeRule {
    TypeRule {
        from: mapping.from.to_owned(),
        to: mapping.to.to_owned(),
        data_source,
        entries: mapping
            .attributes
            .iter()
            .map(|a| (a.from.to_owned(), action(a.target)))
            .collect(),
        complete: true,
    }
}

fn action(target: Target) -> Action {
    match target {
        Target::Same => Action::Same,
        Target::Renamed(to) => Action::Rename(to.to_owned()),
        Target::Dropped(why) => Action::Drop(why.to_owned()),
        Target::Transformed { to, how } => Action::Transform {
            to: to.to_owned(),
            how,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_becomes_a_rule() {
        let rules = rules();
        for mapping in RESOURCES {
            let rule = rules.resource(mapping.from);
            assert!(rule.is_some(), "{} has no rule", mapping.from);
            if let Some(rule) = rule {
                assert_eq!(rule.to, mapping.to);
                assert_eq!(
                    rule.entries.len(),
                    mapping.attributes.len(),
                    "{}",
                    mapping.from
                );
            }
        }
    }
}
