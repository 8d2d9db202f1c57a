//! Ephemeral resources (`ephemeral "TYPE" "NAME" { }`; Terraform 1.10 and later, OpenTofu 1.11
//! and later): objects that exist for one run of the client. The client opens them when their
//! values are needed, may renew them, and closes them when it is done; their values are never
//! stored in a plan or state.
//!
//! What a resource needs to find its object again on renew and close goes into
//! [`Opened::private`]: the client hands those bytes back verbatim, and stores them nowhere.

use std::time::SystemTime;

use async_trait::async_trait;

use super::Ctx;
use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;

/// The result of opening: the values configuration may use, private data for renew and close,
/// and when to renew (if the object expires on its own earlier than the run may take).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opened {
    /// A value of the schema's type: configuration plus what opening produced.
    pub result: Value,
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

/// The outcome of a renewal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Renewed {
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    /// The full type name, e.g. `"scs_application_credential"`.
    fn type_name(&self) -> &str;

    fn schema(&self) -> Schema;

    /// Checks beyond the schema's; values may be unknown.
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates or fetches the object; `config` is wholly known.
    async fn open(&self, ctx: &Ctx, config: Value) -> Result<Opened, Diagnostics>;

    /// Extends the object's life; by default there is nothing to renew.
    async fn renew(&self, _ctx: &Ctx, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        Ok(Renewed {
            private,
            renew_at: None,
        })
    }

    /// Ends the object's life (deletes what `open` created).
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        Ok(())
    }
}
