//! docs/index.md must document exactly the provider schema's arguments (and those of its nested
//! blocks), with their sensitivity.

use std::collections::BTreeSet;

use terraform_provider_scs::provider::provider_schema;
use tfplugin::schema::Attribute;

/// The `- \`name\` - (Optional...)` entries of the page's Argument Reference, with their flags;
/// the arguments of a nested block (after "The `x` block supports:") as `x.name`.
fn documented_arguments(page: &str) -> Vec<(String, String)> {
    let reference = page
        .split_once("## Argument Reference")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let reference = reference
        .split_once("\n## ")
        .map_or(reference, |(section, _)| section);
    let mut block: Option<String> = None;
    let mut out = Vec::new();
    for line in reference.lines() {
        if let Some(rest) = line.strip_prefix("The `")
            && let Some((name, _)) = rest.split_once("` block supports:")
        {
            block = Some(name.to_owned());
            continue;
        }
        let Some(rest) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((name, rest)) = rest.split_once("` - (") else {
            continue;
        };
        let Some((flags, _)) = rest.split_once(')') else {
            continue;
        };
        let name = match &block {
            Some(b) => format!("{b}.{name}"),
            None => name.to_owned(),
        };
        out.push((name, flags.to_owned()));
    }
    out
}

/// Every argument of the provider schema, nested blocks and their arguments (`x.name`)
/// included.
fn schema_arguments() -> Vec<(String, Option<Attribute>)> {
    let schema = provider_schema();
    let mut out: Vec<(String, Option<Attribute>)> = schema
        .block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Some(a.clone())))
        .collect();
    for nested in &schema.block.blocks {
        out.push((nested.name.clone(), None));
        for a in &nested.block.attributes {
            out.push((format!("{}.{}", nested.name, a.name), Some(a.clone())));
        }
    }
    out
}

fn page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/index.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn every_provider_argument_is_documented_and_nothing_else() {
    let arguments = schema_arguments();
    let in_schema: BTreeSet<&str> = arguments.iter().map(|(n, _)| n.as_str()).collect();
    let page = page();
    let documented = documented_arguments(&page);
    let in_docs: BTreeSet<&str> = documented.iter().map(|(n, _)| n.as_str()).collect();
    let missing: Vec<_> = in_schema.difference(&in_docs).collect();
    let stale: Vec<_> = in_docs.difference(&in_schema).collect();
    assert!(
        missing.is_empty(),
        "docs/index.md lacks provider arguments: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "docs/index.md documents arguments the schema lacks: {stale:?}"
    );
    assert_eq!(
        documented.len(),
        in_docs.len(),
        "an argument is documented twice"
    );
}

#[test]
fn sensitive_arguments_are_marked_sensitive_in_the_docs() {
    let arguments = schema_arguments();
    let page = page();
    for (name, flags) in documented_arguments(&page) {
        let Some((_, attribute)) = arguments.iter().find(|(n, _)| *n == name) else {
            continue; // the test above reports it
        };
        let Some(attribute) = attribute else {
            assert!(flags.starts_with("Optional, Block"), "`{name}`: ({flags})");
            continue;
        };
        let attribute = Some(attribute);
        let sensitive = attribute.is_some_and(|a| a.sensitive);
        assert_eq!(
            flags.contains("Sensitive"),
            sensitive,
            "docs/index.md: `{name}` flags ({flags}) disagree with the schema (sensitive = {sensitive})"
        );
        let optional = attribute.is_some_and(|a| a.optional);
        assert_eq!(
            flags.starts_with("Optional"),
            optional,
            "`{name}`: ({flags})"
        );
    }
}

#[test]
fn the_parser_sees_the_arguments() {
    // Guards the tests above: a page format change must not make them pass vacuously.
    assert!(documented_arguments(&page()).len() >= 20);
}
