//! One scenario on one client: a temporary directory, the CLI config that makes
//! `sovereigncloudstack/scs` resolve to the freshly built binary, and the
//! commands a scenario runs.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use super::client::{Client, repo_root};
use super::cloud::Cloud;
use super::command::{CmdOutput, Running, run, spawn};
use super::fault_proxy::FaultProxy;
use super::install;
use super::kube;
use super::plan;

/// The file the harness writes next to every configuration.
pub const PREAMBLE_FILE: &str = "terraform.tf";

/// What every configuration needs, by the line that starts it: the provider's source, the
/// provider block (empty: the cloud comes from `OS_CLOUD`), and the `prefix` variable (from
/// `TF_VAR_prefix`) that every object name starts with, so that runs can share one project and
/// leftovers can be found by name.
const PREAMBLE: [(&str, &str); 3] = [
    (
        "required_providers",
        r#"terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}
"#,
    ),
    ("provider \"scs\"", "provider \"scs\" {}\n"),
    (
        "variable \"prefix\"",
        r#"variable "prefix" {
  type = string
}
"#,
    ),
];

pub struct Scenario {
    client: Client,
    binary: PathBuf,
    name: String,
    tmp: Option<TempDir>,
    root: PathBuf,
    env: Vec<(OsString, Option<OsString>)>,
    /// Set once `apply` ran, so cleanup knows to destroy.
    applied: bool,
    /// The proxy the provider talks to the cloud through, if any ([`Scenario::route_through`]).
    proxy: Option<FaultProxy>,
    /// The namespace of the management cluster the scenario works in, once it asked for one
    /// ([`Scenario::use_kube`]).
    kube_namespace: Option<String>,
}

/// The declaration of `var.namespace`, added to the preamble of scenarios that use Kubernetes.
const NAMESPACE_VARIABLE: (&str, &str) = (
    "variable \"namespace\"",
    r#"variable "namespace" {
  type = string
}
"#,
);

impl Scenario {
    /// Prepares the directory layout; runs nothing yet.
    pub fn new(name: &str, client: Client) -> Scenario {
        let binary = client.binary();
        let tmp = match tempfile::Builder::new()
            .prefix(&format!("tfacc-{name}-{client}-"))
            .tempdir()
        {
            Ok(t) => t,
            Err(e) => panic!("cannot create a temporary directory: {e}"),
        };
        let root = tmp.path().to_path_buf();
        let mut s = Scenario {
            client,
            binary,
            name: name.to_owned(),
            tmp: Some(tmp),
            root,
            env: Vec::new(),
            applied: false,
            proxy: None,
            kube_namespace: None,
        };
        create_dir(&s.workdir());
        let cli_config = install::write_cli_config(&s.root);
        s.set_env("TF_CLI_CONFIG_FILE", cli_config);
        s.set_base_env();
        s
    }

    pub fn client(&self) -> Client {
        self.client
    }

    /// The temporary directory holding everything for this scenario.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The Terraform working directory (where `*.tf` files go).
    pub fn workdir(&self) -> PathBuf {
        self.root.join("work")
    }

    /// Prefix for names of cloud objects, unique per run, client and scenario, so
    /// parallel tests and shared clouds don't collide. Exported to configs as
    /// `var.prefix` (declare `variable "prefix" { type = string }`, name objects
    /// `"${var.prefix}-thing"`).
    pub fn name_prefix(&self) -> String {
        let short = match self.client {
            Client::Terraform => "tf",
            Client::Tofu => "tofu",
            Client::TerraformLatest => "tfl",
        };
        format!("tfacc-{}-{short}-{}", run_id(), self.name.replace('_', "-"))
    }

    // ---- environment -------------------------------------------------------

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) {
        self.put_env(key.as_ref().to_owned(), Some(value.as_ref().to_owned()));
    }

    /// Removes an environment variable for every later command.
    pub fn remove_env(&mut self, key: impl AsRef<OsStr>) {
        self.put_env(key.as_ref().to_owned(), None);
    }

    /// Removes every inherited variable starting with `prefix` (e.g. `OS_`), so a
    /// scenario can prove what happens with nothing configured.
    pub fn clear_env_prefix(&mut self, prefix: &str) {
        let inherited: Vec<OsString> = std::env::vars_os()
            .map(|(k, _)| k)
            .filter(|k| k.to_string_lossy().starts_with(prefix))
            .collect();
        for k in inherited {
            self.remove_env(k);
        }
        self.env
            .retain(|(k, v)| v.is_none() || !k.to_string_lossy().starts_with(prefix));
    }

    /// The cloud selection commands get (`OS_CLOUD`, `OS_CLIENT_CONFIG_FILE`).
    pub fn cloud_env(&self) -> Vec<(String, String)> {
        ["OS_CLOUD", "OS_CLIENT_CONFIG_FILE"]
            .into_iter()
            .filter_map(|k| Some((k.to_owned(), self.env_value(k)?)))
            .collect()
    }

    /// The cloud the CLI commands use, for out-of-band changes and checks.
    pub fn cloud(&self) -> Cloud {
        use scs_client::config::{CloudConfig, Overrides, Sources};
        let mut env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("OS_"))
            .collect();
        for (k, v) in &self.env {
            let k = k.to_string_lossy().into_owned();
            if !k.starts_with("OS_") {
                continue;
            }
            match v {
                Some(v) => env.insert(k, v.to_string_lossy().into_owned()),
                None => env.remove(&k),
            };
        }
        let home = self.env_value("HOME").map(PathBuf::from);
        let sources = Sources::standard(env, Some(&self.workdir()), home.as_deref());
        let config = match CloudConfig::resolve_with(Overrides::default(), &sources) {
            Ok(c) => c,
            Err(e) => panic!("cannot resolve the scenario's cloud: {e}"),
        };
        match scs_client::Client::new(config) {
            Ok(c) => Cloud::new(c, self.client.to_string()),
            Err(e) => panic!("cannot build a cloud client: {e}"),
        }
    }

    fn env_value(&self, key: &str) -> Option<String> {
        match self.env.iter().rev().find(|(k, _)| k == key) {
            Some((_, v)) => v.as_ref().map(|v| v.to_string_lossy().into_owned()),
            None => std::env::var(key).ok(),
        }
    }

    fn put_env(&mut self, key: OsString, value: Option<OsString>) {
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value));
    }

    fn set_base_env(&mut self) {
        self.set_env("TF_IN_AUTOMATION", "1");
        self.set_env("TF_INPUT", "0");
        self.set_env("CHECKPOINT_DISABLE", "1");
        self.set_env("TF_VAR_prefix", self.name_prefix());
        // A user's plugin cache would shadow nothing here but may be read-only or
        // shared with another client version.
        self.remove_env("TF_PLUGIN_CACHE_DIR");
        if std::env::var_os("OS_CLOUD").is_none() {
            self.set_env("OS_CLOUD", "scs-local");
        }
        if std::env::var_os("OS_CLIENT_CONFIG_FILE").is_none() {
            self.set_env(
                "OS_CLIENT_CONFIG_FILE",
                repo_root().join("acceptance/localcloud/clouds.yaml"),
            );
        }
    }

    /// Installs `provider` from the scenario's mirror too, beside ours: for configurations that
    /// use another provider (the one a migration starts from).
    pub fn mirror_provider(&mut self, provider: install::MirroredProvider) {
        let cli_config = install::write_cli_config_with(&self.root, &[provider]);
        self.set_env("TF_CLI_CONFIG_FILE", cli_config);
    }

    // ---- Kubernetes ----------------------------------------------------------

    /// Makes the scenario work in a management cluster (see [`kube`]): its commands get
    /// `KUBECONFIG` and `TF_VAR_namespace`, the preamble declares `var.namespace`, and the
    /// namespace, named after [`name_prefix`](Self::name_prefix), is created now and deleted with
    /// everything in it after the final destroy. Returns the namespace.
    pub fn use_kube(&mut self) -> String {
        if let Some(namespace) = &self.kube_namespace {
            return namespace.clone();
        }
        self.set_env("KUBECONFIG", kube::kubeconfig());
        let namespace = kube::namespace_for(&self.name_prefix());
        self.kubectl(&["create", "namespace", &namespace])
            .assert_success();
        self.set_env("TF_VAR_namespace", &namespace);
        self.kube_namespace = Some(namespace.clone());
        if !tf_files(&self.workdir()).is_empty() {
            self.write_preamble();
        }
        namespace
    }

    /// The scenario's namespace; panics unless [`use_kube`](Self::use_kube) made one.
    pub fn kube_namespace(&self) -> String {
        match &self.kube_namespace {
            Some(namespace) => namespace.clone(),
            None => panic!("the scenario uses no Kubernetes namespace: call use_kube first"),
        }
    }

    /// Runs kubectl against the scenario's management cluster (for checks and changes behind the
    /// provider's back), whatever the outcome.
    pub fn kubectl(&self, args: &[&str]) -> CmdOutput {
        let config = kube::kubeconfig();
        let config = config.to_string_lossy();
        let mut all = vec!["--kubeconfig", config.as_ref()];
        all.extend_from_slice(args);
        run(&kube::kubectl(), &all, &self.workdir(), &self.env)
    }

    /// Deletes the scenario's namespace and waits until it is gone (Cluster API and the Cluster
    /// Stack Operator first remove what their finalizers guard).
    fn delete_kube_namespace(&mut self) -> Result<(), String> {
        let Some(namespace) = self.kube_namespace.take() else {
            return Ok(());
        };
        let out = self.kubectl(&[
            "delete",
            "namespace",
            &namespace,
            "--ignore-not-found",
            "--timeout=300s",
        ]);
        if out.success() {
            Ok(())
        } else {
            Err(format!("namespace {namespace} was not deleted:\n{out}"))
        }
    }

    // ---- configuration files ----------------------------------------------

    /// Writes `main.tf` in the working directory (replacing an earlier one). Like every way of
    /// setting the configuration, it gets the preamble ([`PREAMBLE_FILE`]) beside it.
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Writes any file in the working directory.
    pub fn write_file(&self, name: &str, contents: &str) {
        write_file(&self.workdir().join(name), contents);
        if name.ends_with(".tf") {
            self.write_preamble();
        }
    }

    /// Writes [`PREAMBLE_FILE`] for the configuration now in the working directory: each part of
    /// [`PREAMBLE`] the configuration does not have itself (a complete configuration such as an
    /// example has them all). Scenario files hold only what they are about.
    fn write_preamble(&self) {
        let config: String = tf_files(&self.workdir())
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n != PREAMBLE_FILE))
            .filter_map(|f| fs::read_to_string(f).ok())
            .collect();
        let declares = |start: &str| config.lines().any(|l| l.trim_start().starts_with(start));
        let provider = self.proxy.as_ref().map(FaultProxy::provider_block);
        // A configuration of another provider only (the start of a migration) gets no `scs` block.
        let other_provider_only =
            declares("required_providers") && !config.contains("sovereigncloudstack/scs");
        let kube = self.kube_namespace.is_some().then_some(&NAMESPACE_VARIABLE);
        let parts: Vec<&str> = PREAMBLE
            .iter()
            .chain(kube)
            .filter(|(start, _)| !declares(start))
            .filter(|(start, _)| !(other_provider_only && start.starts_with("provider")))
            .map(|(start, text)| match &provider {
                Some(block) if start.starts_with("provider") => block.as_str(),
                _ => *text,
            })
            .collect();
        write_file(&self.workdir().join(PREAMBLE_FILE), &parts.join("\n"));
    }

    /// Sends the provider's requests through `proxy` from now on: the provider block the
    /// harness writes names the proxy's URLs (a configuration with a provider block of its own
    /// is left alone). The scenario keeps the proxy until its cleanup, which calms it first, so
    /// that the final destroy is not faulted.
    pub fn route_through(&mut self, proxy: &FaultProxy) {
        self.proxy = Some(proxy.clone());
        if !tf_files(&self.workdir()).is_empty() {
            self.write_preamble();
        }
    }

    /// Copies the `*.tf` files of `acceptance/scenarios/<dir>` into the working
    /// directory, replacing the `*.tf` files there (so steps can switch configs).
    pub fn use_scenario(&self, dir: &str) {
        let src = repo_root().join("acceptance/scenarios").join(dir);
        self.remove_tf_files();
        let files = tf_files(&src);
        assert!(!files.is_empty(), "no *.tf files in {}", src.display());
        for f in files {
            let Some(name) = f.file_name() else { continue };
            if let Err(e) = fs::copy(&f, self.workdir().join(name)) {
                panic!("cannot copy {}: {e}", f.display());
            }
        }
        self.write_preamble();
    }

    /// Makes `acceptance/scenarios/<file>` the whole configuration (as `main.tf`),
    /// for scenario directories that hold one file per step (`create.tf`, `update.tf`).
    pub fn use_config(&self, file: &str) {
        let src = repo_root().join("acceptance/scenarios").join(file);
        self.remove_tf_files();
        if let Err(e) = fs::copy(&src, self.workdir().join("main.tf")) {
            panic!("cannot copy {}: {e}", src.display());
        }
        self.write_preamble();
    }

    fn remove_tf_files(&self) {
        for old in tf_files(&self.workdir()) {
            if let Err(e) = fs::remove_file(&old) {
                panic!("cannot remove {}: {e}", old.display());
            }
        }
    }

    // ---- commands ------------------------------------------------------------

    /// Runs the client with `args` in the working directory, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> CmdOutput {
        run(&self.binary, args, &self.workdir(), &self.env)
    }

    /// Starts `apply` in a process group of its own and returns at once, so that the scenario
    /// can interrupt it ([`Running::interrupt`]) and then [`Running::wait`] for it.
    pub fn start_apply(&mut self) -> Running {
        self.applied = true;
        spawn(
            &self.binary,
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            &self.workdir(),
            &self.env,
            true,
        )
    }

    /// Runs the client and panics (with its output) unless it exits 0.
    pub fn ok(&self, args: &[&str]) -> CmdOutput {
        let out = self.run(args);
        out.assert_success();
        out
    }

    pub fn init(&self) -> CmdOutput {
        self.ok(&["init", "-input=false", "-no-color"])
    }

    pub fn validate(&self) -> CmdOutput {
        self.run(&["validate", "-no-color"])
    }

    /// `plan`, whatever the outcome (for scenarios that expect errors).
    pub fn plan(&self) -> CmdOutput {
        self.run(&["plan", "-input=false", "-no-color"])
    }

    pub fn apply(&mut self) -> CmdOutput {
        self.applied = true;
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `apply`, whatever the outcome (for scenarios where it may fail and is tried again).
    pub fn try_apply(&mut self) -> CmdOutput {
        self.applied = true;
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `destroy`, whatever the outcome; cleanup still destroys if it failed.
    pub fn try_destroy(&mut self) -> CmdOutput {
        let out = self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        if out.success() {
            self.applied = false;
        }
        out
    }

    pub fn destroy(&mut self) -> CmdOutput {
        let out = self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        self.applied = false;
        out
    }

    /// `import ADDRESS ID` (the CLI command: Terraform 1.0 has no import blocks).
    pub fn import(&mut self, address: &str, id: &str) -> CmdOutput {
        self.applied = true;
        self.ok(&["import", "-input=false", "-no-color", address, id])
    }

    /// True when a plan shows no changes (`plan -detailed-exitcode`: 0 empty,
    /// 2 changes). Panics on errors, showing the plan.
    pub fn plan_is_empty(&self) -> bool {
        let out = self.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        match out.code {
            Some(0) => true,
            Some(2) => {
                eprintln!("[{}] plan is not empty:\n{}", self.client, out.stdout);
                false
            }
            _ => panic!("plan failed:\n{out}"),
        }
    }

    /// The plan as JSON (`plan -out` then `show -json` of the plan file).
    pub fn plan_json(&self) -> Value {
        let file = self.root.join("tfplan");
        let file = file.to_string_lossy();
        self.ok(&["plan", "-input=false", "-no-color", &format!("-out={file}")]);
        self.ok(&["show", "-json", "-no-color", &file]).json()
    }

    /// Actions planned for `address` (e.g. `["create"]`, `["delete", "create"]`);
    /// `["no-op"]` for an unchanged resource. Panics if the plan doesn't mention it.
    pub fn planned_actions(&self, address: &str) -> Vec<String> {
        let plan = self.plan_json();
        match plan::planned_actions(&plan, address) {
            Some(actions) => actions,
            None => panic!("plan has no resource_changes entry for {address}:\n{plan:#}"),
        }
    }

    /// The state as JSON (`show -json`).
    pub fn state_json(&self) -> Value {
        self.ok(&["show", "-json", "-no-color"]).json()
    }

    /// `values` of the resource at `address` in the state. Panics if absent.
    pub fn state_resource(&self, address: &str) -> Value {
        let state = self.state_json();
        match plan::find_resource(&state, address) {
            Some(r) => r["values"].clone(),
            None => panic!(
                "state has no {address}; it has {:?}",
                plan::resource_addresses(&state)
            ),
        }
    }

    // ---- teardown --------------------------------------------------------------

    /// Destroys what `apply`/`import` created (always, even after a failure) and
    /// removes the directory unless `TF_ACC_PERSIST_WORKING_DIR` is set.
    pub fn cleanup(&mut self) -> Result<(), String> {
        if let Some(proxy) = &self.proxy {
            proxy.calm();
        }
        let result = if self.applied {
            let out = self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
            self.applied = false;
            if out.success() {
                Ok(())
            } else {
                Err(format!(
                    "destroy failed, cloud objects named {}-* may be left behind:\n{out}",
                    self.name_prefix()
                ))
            }
        } else {
            Ok(())
        };
        let result = match (result, self.delete_kube_namespace()) {
            (Ok(()), namespace) => namespace,
            (Err(destroy), Ok(())) => Err(destroy),
            (Err(destroy), Err(namespace)) => Err(format!("{destroy}\n{namespace}")),
        };
        if std::env::var_os("TF_ACC_PERSIST_WORKING_DIR").is_some()
            && let Some(tmp) = self.tmp.take()
        {
            eprintln!("[{}] kept {}", self.client, tmp.keep().display());
        }
        self.proxy = None;
        result
    }
}

/// Short random id for this test process, or `TF_ACC_RUN_ID`.
fn run_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        std::env::var("TF_ACC_RUN_ID").unwrap_or_else(|_| {
            // RandomState is seeded randomly per process: no extra dependency needed.
            let random = RandomState::new().build_hasher().finish();
            format!("{:06x}", random & 0xff_ffff)
        })
    })
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf" || e == "tfvars"))
        .collect();
    files.sort();
    files
}

pub(super) fn create_dir(dir: &Path) {
    if let Err(e) = fs::create_dir_all(dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
}

pub(super) fn write_file(path: &Path, contents: &str) {
    if let Err(e) = fs::write(path, contents) {
        panic!("cannot write {}: {e}", path.display());
    }
}
