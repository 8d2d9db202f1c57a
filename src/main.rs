//! terraform-provider-scs: started by Terraform/OpenTofu through go-plugin. By hand: `--version`,
//! `--debug` to serve for a debugger and print the `TF_REATTACH_PROVIDERS` value for the client, or
//! `migrate DIR` to rewrite a terraform-provider-openstack configuration for this provider.

use std::process::ExitCode;

use terraform_provider_scs::provider::{SOURCE_ADDRESS, ScsProvider};
use tfplugin::server::ServeOptions;

/// The provider answers to our address in both registries, so the reattach value works for either client.
const REGISTRIES: [&str; 2] = ["registry.terraform.io", "registry.opentofu.org"];

const USAGE: &str = "\
Usage: terraform-provider-scs [--debug | --version | --help]
       terraform-provider-scs migrate [--dry-run | --check] DIR

Terraform and OpenTofu start this provider themselves; see README.md.
  --debug    serve without a launching client and print TF_REATTACH_PROVIDERS
  --version  print the version
  migrate    rewrite the terraform-provider-openstack resources of DIR's *.tf files for this
             provider, in place, with `moved` blocks; see docs/guides/migrating-from-openstack.md";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "migrate") {
        return terraform_provider_scs::migration::cli::run(&args[1..], USAGE);
    }
    let mut debug = false;
    for arg in args {
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
