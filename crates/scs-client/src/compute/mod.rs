//! Nova (compute service): servers with their interfaces, volume attachments and actions;
//! flavors with extra specs and the look-up of one flavor by id or SCS name; keypairs; server
//! groups; availability zones.
//!
//! Calls follow the network module's pattern: `list_*` returns every page, `get_*` returns
//! `None` for a missing resource, `delete_*` succeeds when it is already gone, and creates are
//! tried once. Each call asks for the microversion its fields need (see the constants below); an
//! older cloud gets a clear error before anything is sent.

pub mod availability_zone;
pub mod flavor;
pub mod flavor_lookup;
pub mod interface;
pub mod keypair;
pub mod server;
pub mod server_group;
pub mod volume_attachment;

pub use availability_zone::*;
pub use flavor::*;
pub use flavor_lookup::*;
pub use interface::*;
pub use keypair::*;
pub use server::*;
pub use server_group::*;
pub use volume_attachment::*;

use crate::microversion::Microversion;
use crate::session::{Client, ServiceClient};

/// Networks `auto`/`none` on create.
pub const MV_NETWORKS_AUTO: Microversion = Microversion::new(2, 37);
/// Server reads embed the flavor (`original_name`, figures, extra specs) and carry tags and
/// description. The minimum server reads ask for.
pub const MV_SERVER_READ: Microversion = Microversion::new(2, 47);
/// Server reads also list the server's groups (`server_groups`); used where the cloud has it.
pub const MV_SERVER_READ_GROUPS: Microversion = Microversion::new(2, 71);
/// Server descriptions on update.
pub const MV_DESCRIPTION: Microversion = Microversion::new(2, 19);
/// Server tags (`PUT /servers/{id}/tags`).
pub const MV_TAGS: Microversion = Microversion::new(2, 26);
/// Tags on server create.
pub const MV_CREATE_TAGS: Microversion = Microversion::new(2, 52);
/// `volume_type` in `block_device_mapping_v2`.
pub const MV_BDM_VOLUME_TYPE: Microversion = Microversion::new(2, 67);
/// `delete_on_termination` on volume attachments.
pub const MV_ATTACHMENT_DELETE_ON_TERMINATION: Microversion = Microversion::new(2, 79);
/// Server groups with one `policy`.
pub const MV_SERVER_GROUP_POLICY: Microversion = Microversion::new(2, 64);
/// Flavor listings with `extra_specs`.
pub const MV_FLAVOR_EXTRA_SPECS: Microversion = Microversion::new(2, 61);
/// Rebuild of a volume-backed server: Nova re-images its root volume (Cinder 3.68 underneath).
pub const MV_REBUILD_VOLUME_BACKED: Microversion = Microversion::new(2, 93);
/// Keypair `type`.
pub const MV_KEYPAIR_TYPE: Microversion = Microversion::new(2, 2);

fn service(client: &Client) -> ServiceClient {
    client.compute()
}

/// The microversion server reads use: 2.71 where the cloud has it (server groups in the answer,
/// which import needs), else 2.47.
async fn server_read_microversion(client: &Client) -> crate::error::Result<Microversion> {
    Ok(
        if service(client)
            .supports_microversion(MV_SERVER_READ_GROUPS)
            .await?
        {
            MV_SERVER_READ_GROUPS
        } else {
            MV_SERVER_READ
        },
    )
}
