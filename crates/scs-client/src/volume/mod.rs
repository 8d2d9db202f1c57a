//! Cinder (block-storage service): volumes (create, get, update, extend, retype, delete, wait)
//! and volume types.

pub mod volume_type;
pub mod volumes;

pub use volume_type::*;
pub use volumes::*;

use crate::microversion::Microversion;
use crate::session::{Client, ServiceClient};

/// User messages (`/messages`), Cinder's only explanation of an error status.
pub const MV_MESSAGES: Microversion = Microversion::new(3, 3);

/// Extending a volume that is attached (`in-use`); below it Cinder only extends `available` ones.
pub const MV_EXTEND_ATTACHED: Microversion = Microversion::new(3, 42);
/// Time comparison filters (`updated_at=gte:…`) on volume listings.
pub const MV_TIME_FILTERS: Microversion = Microversion::new(3, 60);

fn service(client: &Client) -> ServiceClient {
    client.block_storage()
}
