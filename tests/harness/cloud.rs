//! The scenario's cloud seen directly through the API, for changes behind the provider's back
//! (delete or alter an object between steps) and for checks (a destroy really removed it).

use std::future::Future;

use scs_client::Client;

/// An API client for the cloud the scenario's CLI commands use, with a runtime of its own to run
/// calls between steps. Builds lazily: no request until the first call.
pub struct Cloud {
    runtime: tokio::runtime::Runtime,
    client: Client,
    label: String,
}

impl Cloud {
    pub(super) fn new(client: Client, label: String) -> Cloud {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => panic!("cannot start a runtime for cloud calls: {e}"),
        };
        Cloud {
            runtime,
            client,
            label,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a cloud call that looks at something and panics with the cloud's answer (which names
    /// the operation) if it fails.
    pub fn run<T>(&self, call: impl Future<Output = scs_client::Result<T>>) -> T {
        match self.runtime.block_on(call) {
            Ok(v) => v,
            Err(e) => panic!("[{}] cloud call failed: {e}", self.label),
        }
    }

    /// Runs `change` (one or more calls) behind the provider's back, labelled in the log so that a
    /// failure there is told apart from the CLI's.
    pub fn change<T>(&self, what: &str, change: impl Future<Output = scs_client::Result<T>>) -> T {
        eprintln!("[{}] out of band: {what}", self.label);
        match self.runtime.block_on(change) {
            Ok(v) => v,
            Err(e) => panic!("[{}] {what}: {e}", self.label),
        }
    }
}
