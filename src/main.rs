//! terraform-provider-scs: started by Terraform/OpenTofu through go-plugin. By hand: `--version`, or
//! `--debug` to serve for a debugger and print the `TF_REATTACH_PROVIDERS` value for the client.

use std::process::ExitCode;

use terraform_provider_scs::provider::{SOURCE_ADDRESS, ScsProvider};
use tfplugin::server::ServeOptions;

/// The provider answers to our address in both registries, so the reattach value works for either client.
const REGISTRIES: [&str; 2] = ["registry.terraform.io", "registry.opentofu.org"];

const USAGE: &str = "\
Usage: terraform-provider-scs [--debug | --version | --help]

Terraform and OpenTofu start this provider themselves; see README.md.
  --debug    serve without a launching client and print TF_REATTACH_PROVIDERS
  --version  print the version";

#[tokio::main]
async fn main() -> ExitCode {
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--debug" => debug = true,
            "--version" | "-V" => {
                println!("terraform-provider-scs {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("terraform-provider-scs: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let mut options = ServeOptions::new(format!("{}/{SOURCE_ADDRESS}", REGISTRIES[0]));
    options.provider_addresses = REGISTRIES
        .iter()
        .map(|registry| format!("{registry}/{SOURCE_ADDRESS}"))
        .collect();
    options.debug = debug;

    match tfplugin::framework::serve_provider(ScsProvider::default(), options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
