//! Terraform plugin protocol v6 and a small provider framework.
//!
//! This crate knows nothing of OpenStack.

// Lets `#[derive(Model)]`'s `::tfplugin::...` paths resolve inside this crate too.
extern crate self as tfplugin;

pub use tfplugin_derive::{Model, TfObject};

pub mod proto;
pub mod server;

pub mod diagnostics;
pub mod docs;
pub mod framework;
pub mod model;
pub mod schema;
pub mod value;
