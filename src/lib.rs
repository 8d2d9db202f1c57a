//! The `scs` provider: Sovereign Cloud Stack resources for Terraform and OpenTofu.
//!
//! `config` holds the provider block, `provider` ties it to the plugin framework, and every resource and
//! data source lives in its own file under `resources/` and `data_sources/`.

pub mod config;
pub mod data_sources;
pub mod ephemeral_resources;
pub mod functions;
pub mod identity;
pub mod lifecycle;
pub mod list;
pub mod migration;
pub mod provider;
pub mod resources;
pub mod support;
