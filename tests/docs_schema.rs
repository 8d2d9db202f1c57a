//! Every registered resource and data source has a docs page that matches
//! its schema: each attribute and block (nested ones too) is documented, and
//! the page documents nothing the schema does not have.
//!
//! Pages: `docs/resources/<type without "scs_">.md` and
//! `docs/data-sources/<type without "scs_">.md`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tfplugin::schema::{AttributeType, Block, Schema};
use tfplugin::value::Type;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Names of the block's own attributes and blocks.
fn top_level(block: &Block) -> BTreeSet<String> {
    block
        .attributes
        .iter()
        .map(|a| a.name.clone())
        .chain(block.blocks.iter().map(|b| b.name.clone()))
        .collect()
}

fn object_fields(ty: &Type, out: &mut BTreeSet<String>) {
    if let Some(attrs) = ty.attributes() {
        for (name, inner) in attrs {
            out.insert(name.clone());
            object_fields(inner, out);
        }
    } else if let Some(element) = ty.element() {
        object_fields(element, out);
    }
}

/// Every name below the top level: attributes of nested blocks, nested
/// attributes and fields of object-typed attributes.
fn nested(block: &Block, out: &mut BTreeSet<String>) {
    for attribute in &block.attributes {
        match &attribute.ty {
            AttributeType::Type(ty) => object_fields(ty, out),
            AttributeType::Nested { attributes, .. } => {
                for a in attributes {
                    out.insert(a.name.clone());
                }
            }
        }
    }
    for b in &block.blocks {
        out.extend(top_level(&b.block));
        nested(&b.block, out);
    }
}

/// The names an unindented list item documents: "- `name` - ..." or "* `name` ...".
fn documented_items(page: &str) -> BTreeSet<String> {
    page.lines()
        .filter_map(|line| {
            line.strip_prefix("- `")
                .or_else(|| line.strip_prefix("* `"))
        })
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name.to_owned()))
        .collect()
}

fn check_page(kind: &str, dir: &str, type_name: &str, schema: &Schema, problems: &mut Vec<String>) {
    let short = type_name.strip_prefix("scs_").unwrap_or(type_name);
    let path = repo_root()
        .join("docs")
        .join(dir)
        .join(format!("{short}.md"));
    let Ok(page) = std::fs::read_to_string(&path) else {
        problems.push(format!(
            "{kind} {type_name}: no docs page at {}",
            path.display()
        ));
        return;
    };
    let top = top_level(&schema.block);
    let mut below = BTreeSet::new();
    nested(&schema.block, &mut below);
    let items = documented_items(&page);
    for name in &top {
        if !items.contains(name) {
            problems.push(format!(
                "{kind} {type_name}: `{name}` has no \"- `{name}` - ...\" entry in {}",
                path.display()
            ));
        }
    }
    for name in below.difference(&top) {
        if !page.contains(&format!("`{name}`")) {
            problems.push(format!(
                "{kind} {type_name}: nested `{name}` is not mentioned in {}",
                path.display()
            ));
        }
    }
    // Timeout entries are documented under "## Timeouts"; everything else must exist.
    for name in &items {
        if !top.contains(name) && !below.contains(name) {
            problems.push(format!(
                "{kind} {type_name}: {} documents `{name}`, which the schema does not have",
                path.display()
            ));
        }
    }
    let mut sections = vec![
        "## Example Usage",
        "## Argument Reference",
        "## Attribute Reference",
    ];
    if kind == "resource" {
        sections.push("## Import");
    }
    if top.contains("timeouts") {
        sections.push("## Timeouts");
    }
    for section in sections {
        if !page.contains(section) {
            problems.push(format!(
                "{kind} {type_name}: {} has no \"{section}\" section",
                path.display()
            ));
        }
    }
}

#[test]
fn every_resource_and_data_source_has_a_matching_docs_page() {
    let mut problems = Vec::new();
    let resources = terraform_provider_scs::resources::all();
    let data_sources = terraform_provider_scs::data_sources::all();
    assert!(!resources.is_empty(), "no resources registered");
    for r in &resources {
        check_page(
            "resource",
            "resources",
            r.type_name(),
            &r.schema(),
            &mut problems,
        );
    }
    for d in &data_sources {
        check_page(
            "data source",
            "data-sources",
            d.type_name(),
            &d.schema(),
            &mut problems,
        );
    }
    assert!(
        problems.is_empty(),
        "docs do not match the schemas:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_a_missing_attribute() {
    use tfplugin::schema::Attribute;
    let schema = Schema::new(
        Block::new()
            .attribute(Attribute::string("name").optional())
            .attribute(Attribute::string("undocumented_attribute").optional()),
    );
    let mut problems = Vec::new();
    check_page(
        "resource",
        "resources",
        "scs_network",
        &schema,
        &mut problems,
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("undocumented_attribute")),
        "a missing attribute was not reported: {problems:?}"
    );
}
