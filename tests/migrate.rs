//! `terraform-provider-scs migrate` on a realistic terraform-provider-openstack configuration
//! (`acceptance/scenarios/migrate/openstack`): the output is exactly the reviewed one in
//! `acceptance/scenarios/migrate/migrated`, a second run changes nothing, and the command line
//! behaves (`--check`, `--dry-run`, writing in place, bad usage).
//!
//! After a deliberate change of the output, `MIGRATE_GOLDEN=update cargo test --test migrate`
//! rewrites the expected files; review their diff.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use terraform_provider_scs::migration::{hcl, rules};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("acceptance/scenarios/migrate")
        .join(name)
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
}

/// A copy of the input configuration in a fresh temporary directory.
fn input_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    for file in tf_files(&scenario("openstack")) {
        let name = file.file_name().unwrap_or_default();
        fs::copy(&file, tmp.path().join(name)).unwrap_or_else(|e| panic!("copy: {e}"));
    }
    tmp
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn the_openstack_scenario_becomes_the_reviewed_configuration() {
    let outcome = match hcl::migrate_dir(&scenario("openstack"), &rules()) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let expected_dir = scenario("migrated");
    if std::env::var("MIGRATE_GOLDEN").as_deref() == Ok("update") {
        for file in &outcome.files {
            let path = expected_dir.join(file_name(&file.path));
            fs::write(&path, &file.after).unwrap_or_else(|e| panic!("write: {e}"));
        }
    }
    let expected: Vec<String> = tf_files(&expected_dir)
        .iter()
        .map(|p| file_name(p))
        .collect();
    let produced: Vec<String> = outcome.files.iter().map(|f| file_name(&f.path)).collect();
    assert_eq!(produced, expected, "the same files");
    for file in &outcome.files {
        let want = read(&expected_dir.join(file_name(&file.path)));
        assert!(
            file.after == want,
            "{} differs from the reviewed output; diff (reviewed -> produced):\n{}",
            file_name(&file.path),
            hcl::FileChange {
                path: file.path.clone(),
                before: want.clone(),
                after: file.after.clone(),
            }
            .diff()
        );
    }
    // Every resource of the input moves, except the association, which merges into its floating IP.
    let moved: Vec<&str> = outcome
        .moves
        .iter()
        .map(|(from, _)| from.as_str())
        .collect();
    assert_eq!(moved.len(), 14, "{moved:#?}");
    assert!(!moved.iter().any(|m| m.contains("associate")));
}

#[test]
fn the_migrated_configuration_migrates_to_itself() {
    let outcome = match hcl::migrate_dir(&scenario("migrated"), &rules()) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let changed: Vec<String> = outcome.changed().map(|f| f.diff()).collect();
    assert!(
        changed.is_empty(),
        "a second run changed:\n{}",
        changed.join("\n")
    );
    assert!(outcome.moves.is_empty());
}

fn migrate(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terraform-provider-scs"))
        .arg("migrate")
        .args(args)
        .arg(dir)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap_or_else(|e| panic!("cannot start the provider binary: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn snapshot(dir: &Path) -> Vec<(String, String)> {
    tf_files(dir)
        .iter()
        .map(|p| (file_name(p), read(p)))
        .collect()
}

#[test]
fn check_and_dry_run_write_nothing_and_the_plain_run_writes_in_place() {
    let tmp = input_copy();
    let dir = tmp.path();
    let before = snapshot(dir);

    let check = migrate(&["--check"], dir);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(
        text(&check).contains("would change 4 file(s)"),
        "{}",
        text(&check)
    );
    let dry = migrate(&["--dry-run"], dir);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    let shown = text(&dry);
    assert!(
        shown.contains("-resource \"openstack_networking_network_v2\" \"app\" {"),
        "{shown}"
    );
    assert!(
        shown.contains("+resource \"scs_network\" \"app\" {"),
        "{shown}"
    );
    assert_eq!(
        snapshot(dir),
        before,
        "--check and --dry-run must not write"
    );

    let run = migrate(&[], dir);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let report = text(&run);
    // Findings name the file and the line: of the input before writing, of the written file after.
    let line_in = |file: &Path, needle: &str| {
        read(file)
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("{needle} not in {}", file.display()))
    };
    let input = scenario("openstack").join("compute.tf");
    let output = scenario("migrated").join("compute.tf");
    let before = format!(
        "compute.tf:{}: not translated: ",
        line_in(&input, "force_delete")
    );
    assert!(shown.contains(&before), "{before} in {shown}");
    let after = format!(
        "compute.tf:{}: not translated: ",
        line_in(
            &output,
            "scs migrate: openstack_compute_instance_v2 `force_delete`"
        )
    );
    assert!(report.contains(&after), "{after} in {report}");
    let association = format!(
        "compute.tf:{}: note: ",
        line_in(
            &output,
            "scs migrate: openstack_networking_floatingip_associate_v2.vm merged"
        )
    );
    assert!(report.contains(&association), "{association} in {report}");
    let expected: Vec<(String, String)> = snapshot(&scenario("migrated"));
    assert_eq!(snapshot(dir), expected);

    let again = migrate(&["--check"], dir);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains("nothing to change"),
        "{}",
        text(&again)
    );
}

#[test]
fn bad_usage_and_unreadable_input_exit_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let empty = migrate(&[], tmp.path());
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty));
    assert!(text(&empty).contains("no *.tf files"), "{}", text(&empty));

    fs::write(
        tmp.path().join("bad.tf"),
        "resource \"x\" \"y\" {\n  a = \n}\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let bad = migrate(&[], tmp.path());
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("bad.tf:"), "{}", text(&bad));

    let unknown = migrate(&["--frobnicate"], tmp.path());
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}

/// The real table and schemas: what the table keeps but this provider only reports (a computed
/// attribute) is commented out instead of written, so the output stays valid.
#[test]
fn a_kept_argument_that_is_computed_here_is_commented_out() {
    let input = "resource \"openstack_networking_router_v2\" \"r\" {\n  name = \"r\"\n\n  external_fixed_ip {\n    subnet_id = \"s\"\n  }\n}\n\noutput \"gw\" {\n  value = openstack_networking_router_v2.r.external_fixed_ip[0].ip_address\n}\n";
    let sources = vec![(PathBuf::from("main.tf"), input.to_owned())];
    let outcome = match hcl::migrate_sources(sources, &rules()) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let out = &outcome.files[0].after;
    assert!(
        out.contains("  # external_fixed_ip {\n  #   subnet_id = \"s\"\n  # }\n"),
        "{out}"
    );
    assert!(
        out.contains("value = scs_router.r.external_fixed_ips[0].ip_address"),
        "a reference to it is fine: {out}"
    );
    let finding = outcome
        .untranslated()
        .find(|f| f.message.contains("external_fixed_ip"))
        .unwrap_or_else(|| panic!("not reported: {:#?}", outcome.findings));
    assert_eq!(finding.line, 4);
    assert!(finding.message.contains("computed"), "{}", finding.message);
}
