//! `terraform-provider-scs migrate [--dry-run | --check] DIR`.
//!
//! Exit status: 0 when done (or, with `--check`, when nothing is left to change); 1 with `--check`
//! when files would change; 2 for bad usage or a directory that cannot be read or parsed.
//! Untranslated constructs do not change the status: they are commented out and listed.

use std::path::PathBuf;
use std::process::ExitCode;

use super::hcl::{self, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    DryRun,
    Check,
}

pub fn run(args: &[String], usage: &str) -> ExitCode {
    let mut mode = Mode::Write;
    let mut dir = None;
    for arg in args {
        match arg.as_str() {
            "--dry-run" | "-n" => mode = Mode::DryRun,
            "--check" => mode = Mode::Check,
            "--help" | "-h" => {
                println!("{usage}");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => {
                eprintln!("terraform-provider-scs migrate: unknown option {other:?}\n\n{usage}");
                return ExitCode::from(2);
            }
            other if dir.is_none() => dir = Some(PathBuf::from(other)),
            other => {
                eprintln!(
                    "terraform-provider-scs migrate: one directory only, got {other:?} as well\n\n{usage}"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("terraform-provider-scs migrate: which directory?\n\n{usage}");
        return ExitCode::from(2);
    };
    let outcome = match hcl::migrate_dir(&dir, &super::rules()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("terraform-provider-scs migrate: {e}");
            return ExitCode::from(2);
        }
    };
    if mode == Mode::DryRun {
        for file in outcome.changed() {
            print!("{}", file.diff());
        }
    }
    if mode == Mode::Write
        && let Err(e) = hcl::write(&outcome)
    {
        eprintln!("terraform-provider-scs migrate: {e}");
        return ExitCode::from(2);
    }
    print!("{}", summary(&outcome, mode));
    if mode == Mode::Check && outcome.changed().next().is_some() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn summary(outcome: &Outcome, mode: Mode) -> String {
    let mut out = String::new();
    // Written files are what the user reads next, so their lines are the ones to show.
    for finding in &outcome.findings {
        let mut finding = finding.clone();
        if mode == Mode::Write {
            finding.line = finding.new_line;
        }
        out.push_str(&format!("{finding}\n"));
    }
    let changed: Vec<String> = outcome
        .changed()
        .map(|f| f.path.display().to_string())
        .collect();
    let verb = match mode {
        Mode::Write => "changed",
        Mode::DryRun | Mode::Check => "would change",
    };
    if changed.is_empty() {
        out.push_str("nothing to change\n");
    } else {
        out.push_str(&format!(
            "{verb} {} file(s): {}\n",
            changed.len(),
            changed.join(", ")
        ));
    }
    let untranslated = outcome.untranslated().count();
    out.push_str(&format!(
        "{} resource(s) moved to scs_*, {untranslated} construct(s) not translated{}\n",
        outcome.moves.len(),
        if untranslated > 0 {
            " (commented out, marked `scs migrate:`; see above)"
        } else {
            ""
        }
    ));
    if !outcome.moves.is_empty() && mode == Mode::Write {
        out.push_str(
            "next: review the changes, run `init -upgrade`, then `plan` (it should show only moves) and `apply`; \
             the `moved` blocks need Terraform 1.8 or later or OpenTofu 1.12; see docs/guides/migrating-from-openstack.md\n",
        );
    }
    out
}
