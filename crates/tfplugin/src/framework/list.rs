//! List resources (protocol 6.10, Terraform 1.14+): `list "TYPE" "NAME" {
//! config { ... } }` blocks in `.tfquery.hcl` files, run by `terraform
//! query`, find existing objects of a managed resource type so that they can
//! be imported.
//!
//! A list resource only finds objects; the dispatcher does the rest the same
//! way for every type: it turns each found object into its identity with
//! the resource's identity schema, and when Terraform asks for the whole
//! resource object (`include_resource = true`, and always for
//! `-generate-config-out`) it reads the object with the resource's own
//! `read`, exactly as after an import, so generated configuration matches
//! what an import by identity produces.

use async_trait::async_trait;

use super::Ctx;
use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;

/// One object a list resource found.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    /// How `terraform query` shows the object (its name, else its ID).
    pub display_name: String,
    /// A state of the resource type that `read` can complete, like the one
    /// an import makes: at least every identity attribute set.
    pub state: Value,
}

/// The list resource of one managed resource type (same type name); the
/// resource must have an identity schema.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The managed resource type it lists, e.g. `"scs_server"`.
    fn type_name(&self) -> &str;

    /// The schema of the `config { }` block of a `list` block.
    fn schema(&self) -> Schema;

    /// Checks across the configuration's attributes (per-attribute checks
    /// of the schema run before). Values may be unknown.
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Finds the objects the configuration selects, at most `limit` of them
    /// (`None`: no limit). `config` is wholly known; a `list` block without
    /// `config { }` gives an object of nulls.
    async fn list(
        &self,
        ctx: &Ctx,
        config: Value,
        limit: Option<usize>,
    ) -> Result<Vec<Listed>, Diagnostics>;
}
