//! What resources and data sources share, and nothing else: the client a
//! block's `region` selects, cloud errors as diagnostics, the common schema
//! attributes, and the mapping of the cloud's "unset" values onto what the
//! configuration said. This module imports neither resources nor data
//! sources nor the provider, so everything can depend on it.

mod client;
mod errors;
pub mod kube;
pub mod net;
mod ownership;
pub mod schema;
pub mod text;
mod values;

pub use client::{Cloud, ProviderData, client_for};
pub use errors::{budget, call, cloud_error, exactly_one, find_one, interrupted, set_filters};
pub use ownership::{OWNER_KEY, OWNER_TAG, OWNER_VALUE, configured_tags, with_owner_tag};
pub use values::{
    attr_of, changed, changed_nullable, changed_tags, in_prior_order, list_from_api,
    string_from_api,
};
