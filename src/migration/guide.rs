//! The attribute mapping tables of `docs/guides/migrating-from-openstack.md`, written from the
//! mapping table in [`super::openstack`] (`tests/migration_guide.rs` checks the guide holds exactly
//! this text between its markers).

use super::openstack::{DATA_SOURCES, RESOURCES, ResourceMapping, Target};

/// The guide's line before the generated tables.
pub const BEGIN: &str = "<!-- mapping:begin (generated from src/migration/openstack.rs; tests/migration_guide.rs checks it) -->";
/// The guide's line after them.
pub const END: &str = "<!-- mapping:end -->";

/// Markdown: one section per resource type, then one per data source type.
pub fn mapping_tables() -> String {
    let mut out = String::new();
    out.push_str("### Resources\n\n");
    for mapping in RESOURCES {
        table(&mut out, mapping, "resource");
    }
    out.push_str("### Data sources\n\n");
    for mapping in DATA_SOURCES {
        table(&mut out, mapping, "data source");
    }
    out
}

fn table(out: &mut String, mapping: &ResourceMapping, kind: &str) {
    out.push_str(&format!(
        "#### {kind} `{}` → `{}`\n\n",
        mapping.from, mapping.to
    ));
    if !mapping.note.is_empty() {
        out.push_str(&format!("{}\n\n", escape(mapping.note)));
    }
    out.push_str("| terraform-provider-openstack | scs | how |\n|---|---|---|\n");
    for attribute in mapping.attributes {
        let from = format!("`{}`", attribute.from);
        let (to, how) = match attribute.target {
            Target::Same => (from.clone(), "same".to_owned()),
            Target::Renamed(to) => (
                format!("`{}`", renamed_path(mapping, attribute.from, to)),
                "renamed".to_owned(),
            ),
            Target::Transformed { to, how } => {
                (format!("`{to}`"), format!("changed: {}", how.description()))
            }
            Target::Dropped(why) => ("—".to_owned(), format!("not migrated: {why}")),
        };
        out.push_str(&format!("| {from} | {to} | {} |\n", escape(&how)));
    }
    out.push('\n');
}

/// A rename names the new last segment; the table shows the whole new path, with renamed parent
/// blocks under their new names too.
fn renamed_path(mapping: &ResourceMapping, from: &str, to: &str) -> String {
    let Some((parent, _)) = from.rsplit_once('.') else {
        return to.to_owned();
    };
    let parent = match mapping.attribute(parent).map(|a| a.target) {
        Some(Target::Renamed(new)) => renamed_path(mapping, parent, new),
        _ => parent.to_owned(),
    };
    format!("{parent}.{to}")
}

/// Table cells must not contain `|` or line breaks.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
