//! docs/index.md must document exactly the provider schema's arguments, with their sensitivity.

use std::collections::BTreeSet;

use terraform_provider_scs::provider::provider_schema;

/// The `- \`name\` - (Optional...)` entries of the page's Argument Reference, with their flags.
fn documented_arguments(page: &str) -> Vec<(String, String)> {
    let reference = page
        .split_once("## Argument Reference")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let reference = reference
        .split_once("\n## ")
        .map_or(reference, |(section, _)| section);
    reference
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- `")?;
            let (name, rest) = rest.split_once("` - (")?;
            let (flags, _) = rest.split_once(')')?;
            Some((name.to_owned(), flags.to_owned()))
        })
        .collect()
}

fn page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/index.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn every_provider_argument_is_documented_and_nothing_else() {
    let schema = provider_schema();
    let in_schema: BTreeSet<&str> = schema
        .block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
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
    let schema = provider_schema();
    let page = page();
    for (name, flags) in documented_arguments(&page) {
        let attribute = schema.block.get_attribute(&name);
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
