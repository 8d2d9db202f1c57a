//! OpenStack/SCS API client.
//!
//! This crate knows nothing of Terraform.
