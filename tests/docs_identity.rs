//! The docs tell about resource identity and list resources where they apply: every resource page's
//! "Import" section shows an `import` block by identity naming the identity's attributes, every
//! type with a list resource has its `list` block and filters on its page, and the provider page
//! names every list resource type.

use std::path::Path;

use terraform_provider_scs::provider::ScsProvider;
use tfplugin::framework::Provider;

fn page(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// The text of the `## Import` section of a page.
fn import_section(text: &str) -> &str {
    let start = text.find("\n## Import\n").map_or(text.len(), |i| i + 1);
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    &rest[..end]
}

#[test]
fn every_import_section_shows_the_identity() {
    let provider = ScsProvider::default();
    let mut problems = Vec::new();
    for r in provider.resources() {
        let short = r.type_name().trim_start_matches("scs_");
        let file = format!("resources/{short}.md");
        let text = page(&file);
        let import = import_section(&text);
        let Some(identity) = r.identity_schema() else {
            problems.push(format!("{} has no identity", r.type_name()));
            continue;
        };
        if !import.contains("identity = {") {
            problems.push(format!("{file}: no import block by identity"));
        }
        for a in &identity.attributes {
            if !import.contains(&format!("`{}`", a.name)) {
                problems.push(format!(
                    "{file}: the identity attribute {} is not named",
                    a.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_list_resource_is_documented() {
    let provider = ScsProvider::default();
    let index = page("index.md");
    let mut problems = Vec::new();
    for l in provider.list_resources() {
        let type_name = l.type_name();
        let short = type_name.trim_start_matches("scs_");
        let file = format!("resources/{short}.md");
        let text = page(&file);
        let import = import_section(&text);
        if !import.contains(&format!("list \"{type_name}\"")) {
            problems.push(format!("{file}: no list block in the Import section"));
        }
        let block = l.schema().block;
        for a in &block.attributes {
            if !import.contains(&format!("`{}`", a.name)) {
                problems.push(format!("{file}: the list filter {} is not named", a.name));
            }
        }
        if !index.contains(&format!("`{type_name}`")) {
            problems.push(format!(
                "index.md does not name the list resource {type_name}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
