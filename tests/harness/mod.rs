//! Acceptance harness: drives the real `terraform` and `tofu` CLIs against the
//! freshly built provider binary.
//!
//! Every `tests/acc_*.rs` declares `mod harness;` and writes scenarios as closures:
//!
//! ```ignore
//! harness::on_both_clients("network_basic", |s| {
//!     s.use_config("network/network/create.tf");  // becomes main.tf
//!     s.init();
//!     s.apply();
//!     assert!(s.plan_is_empty());
//!     let net = s.state_resource("scs_network.this");
//!     assert_eq!(net["name"], format!("{}-net", s.name_prefix())); // var.prefix
//!     s.use_config("network/network/update.tf");
//!     assert_eq!(s.planned_actions("scs_network.this"), ["update"]);
//! });
//! ```
//!
//! Each scenario gets its own temporary directory per client holding the working
//! directory, a CLI config (`TF_CLI_CONFIG_FILE`) and an unpacked filesystem mirror
//! in which `sovereigncloudstack/scs` is a symlink to the binary cargo just built, so
//! `init` installs the provider exactly as it would for a user.
//!
//! Environment:
//! - Every acceptance test is `#[ignore]`d, so a plain `cargo test` lists it as ignored; `make
//!   acceptance` runs them with `TF_ACC=1` and `-- --include-ignored`. A scenario asked for without
//!   `TF_ACC=1` fails, and with it a missing client is a failure too, never a skip.
//! - `TF_ACC_CLIENTS=terraform,tofu,terraform-latest` chooses the clients (default: terraform and
//!   tofu; the scenarios of newer protocol features and the install scenarios run on every client
//!   that has the feature). A scenario runs on the named clients it can run on; `make
//!   acceptance-cloud` runs the suite once per client, the clients side by side
//!   (`acceptance/run-by-client.sh`).
//! - `TF_ACC_TERRAFORM_PATH` / `TF_ACC_TOFU_PATH` / `TF_ACC_TERRAFORM_LATEST_PATH` override
//!   `acceptance/tools/bin/*`.
//! - `TF_ACC_RELEASE_DIR`: the `dist/VERSION` directory `acc_install` serves from its registry.
//! - `TF_ACC_PERSIST_WORKING_DIR=1` keeps the temporary directories for inspection.
//! - `TF_ACC_COMMAND_TIMEOUT` (seconds, default 1800) kills a hung CLI command.
//! - `OS_CLOUD` defaults to `scs-local` and `OS_CLIENT_CONFIG_FILE` to
//!   `acceptance/localcloud/clouds.yaml` unless set.
//! - `TF_ACC_RUN_ID` fixes the run part of the name prefix (default: random).
//! - `FAULT_SEED` fixes the seed of the fault proxy ([`fault_proxy`]; default: random, printed).
//! - `TF_ACC_KUBECONFIG`, `KUBE_BED_DIR`, `TF_ACC_KUBECTL`: the management cluster of the cluster
//!   scenarios ([`kube`]; default: the local Kubernetes test bed).
// Each test crate uses a different subset of the helpers.
#![allow(dead_code, unused_imports)]

mod client;
mod cloud;
mod command;
pub mod fault_proxy;
mod install;
pub mod inventory;
pub mod kube;
mod plan;
pub mod registry;
mod scenario;
pub mod tpo;

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use client::{Client, Feature};
pub use cloud::Cloud;
pub use command::{CmdOutput, Running};
pub use fault_proxy::{Counts, Fault, FaultPlan, FaultProxy};
pub use install::{MirroredProvider, target_platform};
pub use scenario::Scenario;

/// Whether acceptance scenarios run (`TF_ACC` set to anything but empty or `0`).
pub fn acceptance_enabled() -> bool {
    std::env::var("TF_ACC").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Whether the tests run against the project's local test cloud (`OS_CLOUD` unset or `scs-local*`).
pub fn on_local_cloud() -> bool {
    std::env::var("OS_CLOUD").map_or(true, |c| c.starts_with("scs-local"))
}

/// Runs `scenario` like [`on_both_clients`], but only on the local test cloud: for scenarios that
/// need what only it guarantees (one compute host, an admin account, the NFS volume backend). On any
/// other cloud it says why it did not run and passes.
pub fn on_both_clients_locally(name: &str, needs: &str, scenario: impl Fn(&mut Scenario)) {
    if skipped_off_local_cloud(name, needs) {
        return;
    }
    on_both_clients(name, scenario);
}

/// [`on_both_clients_concurrently`] on the local test cloud only, like
/// [`on_both_clients_locally`].
pub fn on_both_clients_concurrently_locally(
    name: &str,
    needs: &str,
    scenario: impl Fn(&mut Scenario) + Sync,
) {
    if skipped_off_local_cloud(name, needs) {
        return;
    }
    on_both_clients_concurrently(name, scenario);
}

fn skipped_off_local_cloud(name: &str, needs: &str) -> bool {
    if acceptance_enabled() && !on_local_cloud() {
        let line = format!(
            "acceptance scenario {name}: skipped on OS_CLOUD={} (it needs the local test cloud: {needs})\n",
            std::env::var("OS_CLOUD").unwrap_or_default()
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        return true;
    }
    false
}

/// Runs `scenario` once per selected client, each in a fresh [`Scenario`].
///
/// Without `TF_ACC` the scenario fails: it only runs when asked for (its test is ignored
/// otherwise), and then it must not pass without having run. A panic on one client does not stop
/// the other; the test fails afterwards naming every client that failed. Resources left by `apply`
/// are destroyed in any case.
pub fn on_both_clients(name: &str, scenario: impl Fn(&mut Scenario)) {
    assert_enabled(name);
    let failed: Vec<String> = Client::selected()
        .into_iter()
        .filter_map(|client| run_on(name, client, &scenario).err())
        .collect();
    assert_all_passed(name, &failed);
}

/// Runs `scenario` on each of `clients` like [`on_both_clients`] does on its two.
pub fn on_clients(name: &str, clients: &[Client], scenario: impl Fn(&mut Scenario)) {
    assert_enabled(name);
    if clients.is_empty() {
        eprintln!(
            "acceptance scenario {name}: not run here: TF_ACC_CLIENTS names none of the clients it \
             runs on"
        );
        return;
    }
    let failed: Vec<String> = clients
        .iter()
        .filter_map(|&client| run_on(name, client, &scenario).err())
        .collect();
    assert_all_passed(name, &failed);
}

/// Runs `scenario` on every client, the newest Terraform included (unless `TF_ACC_CLIENTS` picks
/// others): for the protocol features that only newer clients have, whose scenarios are short.
pub fn on_every_client(name: &str, scenario: impl Fn(&mut Scenario)) {
    on_clients(name, &Client::selected_or(&Client::ALL), scenario);
}

/// [`on_every_client`] on the local test cloud only, like [`on_both_clients_locally`].
pub fn on_every_client_locally(name: &str, needs: &str, scenario: impl Fn(&mut Scenario)) {
    if skipped_off_local_cloud(name, needs) {
        return;
    }
    on_every_client(name, scenario);
}

/// [`on_both_clients`] with the clients at the same time, each on a thread of its own: for long
/// scenarios, whose clients share nothing (each has its own directory, name prefix and cloud
/// objects).
pub fn on_both_clients_concurrently(name: &str, scenario: impl Fn(&mut Scenario) + Sync) {
    assert_enabled(name);
    let scenario = &scenario;
    let failed: Vec<String> = std::thread::scope(|threads| {
        let running: Vec<_> = Client::selected()
            .into_iter()
            .map(|client| {
                let handle = std::thread::Builder::new()
                    .name(format!("{name}-{client}"))
                    .spawn_scoped(threads, move || run_on(name, client, scenario));
                match handle {
                    Ok(h) => (client, h),
                    Err(e) => panic!("cannot start a thread for {name} [{client}]: {e}"),
                }
            })
            .collect();
        running
            .into_iter()
            .filter_map(|(client, h)| match h.join() {
                Ok(outcome) => outcome.err(),
                Err(_) => Some(client.to_string()),
            })
            .collect()
    });
    assert_all_passed(name, &failed);
}

fn assert_enabled(name: &str) {
    assert!(
        acceptance_enabled(),
        "acceptance scenario {name} needs TF_ACC=1 and a cloud (OS_CLOUD); run it with `make \
         acceptance` or TF_ACC=1 cargo test --test <file> -- --include-ignored"
    );
}

/// Runs `scenario` on `client` in a fresh [`Scenario`] and cleans up; `Err` names the client
/// (and a failed cleanup) when either failed.
fn run_on(name: &str, client: Client, scenario: &impl Fn(&mut Scenario)) -> Result<(), String> {
    let mut s = Scenario::new(name, client);
    eprintln!(
        "acceptance scenario {name} [{client}]: working dir {}",
        s.root().display()
    );
    let outcome = catch_unwind(AssertUnwindSafe(|| scenario(&mut s)));
    let cleanup = s.cleanup();
    match (outcome, cleanup) {
        (Ok(()), Ok(())) => {
            eprintln!("acceptance scenario {name} [{client}]: ok");
            Ok(())
        }
        (Ok(()), Err(e)) => Err(format!("{client} (cleanup: {e})")),
        (Err(_), Ok(())) => Err(client.to_string()),
        (Err(_), Err(e)) => Err(format!("{client} (and cleanup: {e})")),
    }
}

fn assert_all_passed(name: &str, failed: &[String]) {
    assert!(
        failed.is_empty(),
        "acceptance scenario {name} failed on: {}",
        failed.join(", ")
    );
}
