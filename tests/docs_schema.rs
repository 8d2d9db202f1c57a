//! The docs pages' argument and attribute lists are generated from the
//! schemas the provider serves, and this test fails when a page is stale.
//!
//! Pages: `docs/index.md` (the provider block), `docs/resources/<type
//! without "scs_">.md`, `docs/data-sources/<type without "scs_">.md` and
//! `docs/ephemeral-resources/<type without "scs_">.md`,
//! `docs/functions/<function>.md` (whose generated part is the signature,
//! between `<!-- schema:signature:begin -->` / `<!-- schema:signature:end -->`).
//! Each marks its generated lists with `<!-- schema:arguments:begin -->` /
//! `<!-- schema:arguments:end -->` (and `attributes` for resources and data
//! sources; see `tfplugin::docs`); prose and examples around them are written
//! by hand. `make docs` runs [`write_docs_pages`] to regenerate the lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use terraform_provider_scs::provider::ScsProvider;
use tfplugin::docs::{self, ARGUMENTS, ATTRIBUTES, SIGNATURE};
use tfplugin::framework::Provider;
use tfplugin::schema::{Schema, TIMEOUTS};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn docs_dir() -> PathBuf {
    repo_root().join("docs")
}

/// The path as the repository names it, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// One docs page and what the provider's schema says belongs in it.
struct Page {
    what: String,
    path: PathBuf,
    regions: Vec<(&'static str, String)>,
    /// Hand-written sections the page must have.
    sections: Vec<&'static str>,
}

fn schema_page(kind: &str, dir: &Path, type_name: &str, schema: &Schema) -> Page {
    let short = type_name.strip_prefix("scs_").unwrap_or(type_name);
    let mut sections = vec![
        "## Example Usage",
        "## Argument Reference",
        "## Attribute Reference",
    ];
    if kind == "resource" {
        sections.push("## Import");
    }
    if schema.block.get_block(TIMEOUTS).is_some() {
        sections.push("## Timeouts");
    }
    Page {
        what: format!("{kind} {type_name}"),
        path: dir.join(format!("{short}.md")),
        regions: vec![
            (ARGUMENTS, docs::arguments(schema)),
            (ATTRIBUTES, docs::attributes(schema)),
        ],
        sections,
    }
}

/// Every page, from the provider object the binary serves.
fn pages() -> Vec<Page> {
    let provider = ScsProvider::default();
    let dir = docs_dir();
    let mut pages = vec![Page {
        what: "provider".to_owned(),
        path: dir.join("index.md"),
        regions: vec![(ARGUMENTS, docs::arguments(&provider.schema()))],
        sections: vec!["## Example Usage", "## Argument Reference"],
    }];
    for r in provider.resources() {
        pages.push(schema_page(
            "resource",
            &dir.join("resources"),
            r.type_name(),
            &r.schema(),
        ));
    }
    for d in provider.data_sources() {
        pages.push(schema_page(
            "data source",
            &dir.join("data-sources"),
            d.type_name(),
            &d.schema(),
        ));
    }
    for e in provider.ephemeral_resources() {
        pages.push(schema_page(
            "ephemeral resource",
            &dir.join("ephemeral-resources"),
            e.type_name(),
            &e.schema(),
        ));
    }
    for f in provider.functions() {
        pages.push(Page {
            what: format!("function {}", f.name()),
            path: dir.join("functions").join(format!("{}.md", f.name())),
            regions: vec![(
                SIGNATURE,
                docs::function_signature(provider.type_name(), f.name(), &f.signature()),
            )],
            sections: vec!["## Example Usage", "## Signature"],
        });
    }
    pages
}

/// The heading each region belongs under.
fn heading_of(region: &str) -> &'static str {
    match region {
        ATTRIBUTES => "## Attribute Reference",
        SIGNATURE => "## Signature",
        _ => "## Argument Reference",
    }
}

/// Problems with the hand-written part: missing sections, a region outside
/// its section.
fn structure_problems(page: &Page, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for section in &page.sections {
        if !text.lines().any(|l| l.trim_end() == *section) {
            problems.push(format!("has no \"{section}\" section"));
        }
    }
    for (region, _) in &page.regions {
        let begin = docs::begin_marker(region);
        let begin = begin.trim_end_matches(" -->");
        let heading = text
            .lines()
            .take_while(|l| !l.trim_start().starts_with(begin))
            .filter(|l| l.starts_with("## "))
            .last();
        if heading.map(str::trim_end) != Some(heading_of(region)) {
            problems.push(format!(
                "the {region} list is not in the \"{}\" section",
                heading_of(region)
            ));
        }
    }
    problems
}

/// The page as it should be, or why it cannot be generated.
fn generated(page: &Page) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(&page.path)
        .map_err(|e| format!("cannot read {}: {e}", shown(&page.path)))?;
    let filled = docs::fill_regions(&text, &page.regions).map_err(|e| {
        format!(
            "{}: {e}; add the markers {} / {} where the generated list goes",
            shown(&page.path),
            docs::begin_marker(page.regions[0].0),
            docs::end_marker(page.regions[0].0),
        )
    })?;
    Ok((text, filled))
}

#[test]
fn docs_pages_match_the_schemas() {
    let mut problems = Vec::new();
    let pages = pages();
    assert!(
        pages.len() > 1,
        "the provider serves no resources or data sources"
    );
    for page in &pages {
        match generated(page) {
            Err(problem) => problems.push(format!("{}: {problem}", page.what)),
            Ok((text, filled)) => {
                if let Some((line, old, new)) = docs::first_difference(&text, &filled) {
                    problems.push(format!(
                        "{}: {} is stale from line {line} (page: {old:?}, schema: {new:?}); \
                         run make docs",
                        page.what,
                        shown(&page.path)
                    ));
                }
                for problem in structure_problems(page, &text) {
                    problems.push(format!("{}: {} {problem}", page.what, shown(&page.path)));
                }
            }
        }
    }
    // Pages for types the provider does not serve (renamed or removed).
    let known: BTreeSet<PathBuf> = pages.iter().map(|p| p.path.clone()).collect();
    for dir in [
        "resources",
        "data-sources",
        "ephemeral-resources",
        "functions",
    ] {
        let Ok(entries) = std::fs::read_dir(docs_dir().join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "md") && !known.contains(&path) {
                problems.push(format!(
                    "{} documents no type the provider serves",
                    shown(&path)
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs do not match the schemas:\n{}",
        problems.join("\n")
    );
}

/// `make docs`: rewrites the generated lists of every page.
#[test]
#[ignore = "writes docs/; run by make docs"]
fn write_docs_pages() {
    let mut failures = Vec::new();
    for page in pages() {
        match generated(&page) {
            Err(problem) => failures.push(format!("{}: {problem}", page.what)),
            Ok((text, filled)) if text != filled => match std::fs::write(&page.path, filled) {
                Ok(()) => println!("updated {}", shown(&page.path)),
                Err(e) => failures.push(format!("cannot write {}: {e}", shown(&page.path))),
            },
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_page_with_a_stale_list_is_reported() {
    use tfplugin::schema::{Attribute, Block};
    let dir = tempfile::tempdir().expect("temporary directory");
    let schema = Schema::new(
        Block::new()
            .attribute(Attribute::string("id").computed().description("The ID."))
            .attribute(Attribute::string("name").required().description("A name.")),
    );
    let page = schema_page("resource", dir.path(), "scs_thing", &schema);
    let stale = "# scs_thing\n\n## Example Usage\n\n## Argument Reference\n\n\
                 <!-- schema:arguments:begin -->\n- `name` - (Required) Old text.\n\
                 <!-- schema:arguments:end -->\n\n## Attribute Reference\n\n\
                 <!-- schema:attributes:begin -->\n<!-- schema:attributes:end -->\n\n## Import\n";
    std::fs::write(&page.path, stale).expect("write page");
    let (text, filled) = generated(&page).expect("markers found");
    assert_ne!(text, filled, "a stale list was not noticed");
    assert!(filled.contains("- `name` - (Required, String) A name."));
    assert!(filled.contains("- `id` - (String) The ID."));
    assert!(structure_problems(&page, &text).is_empty());
    // Once written, the page is up to date.
    std::fs::write(&page.path, &filled).expect("write page");
    let (text, filled) = generated(&page).expect("markers found");
    assert_eq!(text, filled);
    // A page without markers cannot be generated, and says which markers to add.
    std::fs::write(&page.path, "# scs_thing\n").expect("write page");
    let problem = generated(&page).expect_err("a page without markers was accepted");
    assert!(
        problem.contains("<!-- schema:arguments:begin -->"),
        "{problem}"
    );
    // A list under the wrong heading is reported.
    let misplaced = stale.replace(
        "## Attribute Reference\n\n<!-- schema:attributes:begin",
        "## Attribute Reference\n\n## Notes\n\n<!-- schema:attributes:begin",
    );
    let problems = structure_problems(&page, &misplaced);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("attributes list is not in the \"## Attribute Reference\" section")),
        "{problems:?}"
    );
}
