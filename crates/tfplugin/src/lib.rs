//! Terraform plugin protocol v6 and a small provider framework.
//!
//! This crate knows nothing of OpenStack.

pub mod proto;
pub mod server;

pub mod diagnostics;
pub mod docs;
pub mod framework;
pub mod schema;
pub mod value;
