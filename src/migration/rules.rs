//! The `migrate` command's view of the mapping table in [`super::openstack`]: the same entries,
//! keyed for lookups while walking HCL.

use tfplugin::schema::Block;

use super::hcl::{Action, Rules, TypeRule};
use super::openstack::{DATA_SOURCES, RESOURCES, ResourceMapping, Target};

/// The rules `migrate` translates with, built from [`RESOURCES`] and [`DATA_SOURCES`].
pub fn rules() -> Rules {
    let resources = crate::resources::all();
    let data_sources = crate::data_sources::all();
    let resource_schema = |to: &str| {
        resources
            .iter()
            .find(|r| r.type_name() == to)
            .map(|r| r.schema().block)
    };
    let data_source_schema = |to: &str| {
        data_sources
            .iter()
            .find(|d| d.type_name() == to)
            .map(|d| d.schema().block)
    };
    let resources = RESOURCES
        .iter()
        .map(|m| type_rule(m, false, resource_schema(m.to)));
    let data_sources = DATA_SOURCES
        .iter()
        .map(|m| type_rule(m, true, data_source_schema(m.to)));
    Rules::new(resources.chain(data_sources))
}

fn type_rule(mapping: &ResourceMapping, data_source: bool, schema: Option<Block>) -> TypeRule {
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
        note: mapping.note.to_owned(),
        schema,
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
