//! A plugin that serves a provider with no resources: the smallest process
//! that goes through the whole go-plugin start (environment checks, listener,
//! AutoMTLS identity, handshake line). `benches/handshake_latency.py` times
//! it from exec to the handshake line.
//!
//! Build: `cargo build --release -p tfplugin --example empty_plugin`.

use std::process::ExitCode;

use tfplugin::proto::tfplugin6::provider_server::Provider;
use tfplugin::server::ServeOptions;

/// Every RPC keeps the generated UNIMPLEMENTED answer.
struct EmptyProvider;

#[tonic::async_trait]
impl Provider for EmptyProvider {}

#[tokio::main]
async fn main() -> ExitCode {
    let mut options = ServeOptions::new("registry.terraform.io/example/empty");
    options.debug = std::env::args().any(|arg| arg == "--debug");
    match tfplugin::server::serve(EmptyProvider, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
