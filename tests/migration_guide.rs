//! `docs/guides/migrating-from-openstack.md` holds, between its markers, exactly the mapping tables
//! written from the code's table (`src/migration/openstack.rs`), so the guide cannot drift from
//! what `migrate` and the state move do. After a change of the table,
//! `MIGRATION_GUIDE=update cargo test --test migration_guide` rewrites that part of the guide.

use std::path::Path;

use terraform_provider_scs::migration::guide::{BEGIN, END, mapping_tables};
use terraform_provider_scs::migration::openstack::{DATA_SOURCES, RESOURCES, Target};

fn guide_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/migrating-from-openstack.md")
}

/// The guide split at its markers: before, generated part, after.
fn split(guide: &str) -> (&str, &str, &str) {
    let begin = guide
        .find(BEGIN)
        .unwrap_or_else(|| panic!("the guide lacks the line {BEGIN}"));
    let after_begin = begin + BEGIN.len();
    let end = guide[after_begin..]
        .find(END)
        .map(|i| after_begin + i)
        .unwrap_or_else(|| panic!("the guide lacks the line {END} after {BEGIN}"));
    (
        &guide[..after_begin],
        &guide[after_begin..end],
        &guide[end..],
    )
}

#[test]
fn the_guide_has_the_tables_of_the_code() {
    let path = guide_path();
    let guide = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (head, tables, tail) = split(&guide);
    let want = format!("\n\n{}", mapping_tables());
    if tables != want && std::env::var("MIGRATION_GUIDE").as_deref() == Ok("update") {
        std::fs::write(&path, format!("{head}{want}{tail}"))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    assert!(
        tables == want,
        "the guide's mapping tables differ from src/migration/openstack.rs; run \
         `make docs` (or `MIGRATION_GUIDE=update cargo test --test migration_guide`) and review the diff"
    );
}

/// The check above bites: every source type and every attribute of the code's table shows up in the
/// generated text, and a guide with one row changed no longer matches.
#[test]
fn the_tables_name_every_type_and_attribute_and_a_changed_row_is_caught() {
    let tables = mapping_tables();
    for mapping in RESOURCES.iter().chain(DATA_SOURCES) {
        let heading = format!("`{}` → `{}`", mapping.from, mapping.to);
        assert!(tables.contains(&heading), "{heading} missing");
        for attribute in mapping.attributes {
            let cell = format!("| `{}` |", attribute.from);
            assert!(tables.contains(&cell), "{}: {cell} missing", mapping.from);
            if let Target::Dropped(why) = attribute.target {
                assert!(
                    tables.contains(why),
                    "{}: reason for {} missing",
                    mapping.from,
                    attribute.from
                );
            }
        }
    }
    let guide = format!("intro\n{BEGIN}\n\n{tables}{END}\n");
    let tampered = guide.replacen("| same |", "| renamed |", 1);
    assert_ne!(tampered, guide);
    let (_, part, _) = split(&tampered);
    assert_ne!(part, format!("\n\n{tables}"));
}
