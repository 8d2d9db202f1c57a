//! `scs_server`: a Nova server, with its NICs, boot volume and power state.
//!
//! Submodules: `model` (typed state, from which the schema is derived), `validate` (checks without
//! the cloud), `plan` (what an apply changes), `create`, `update`, `read`,
//! `delete`, `status` (waiting for Nova), `networks` (NIC matching),
//! `attach` (NICs attached and detached in place), `boot` (flavor/image
//! look-ups and implicit boot from volume for diskless SCS flavors).

mod attach;
mod boot;
mod create;
mod delete;
mod generate;
mod model;
mod networks;
mod outcome;
mod plan;
mod read;
mod status;
mod update;
mod validate;

use std::time::Duration;

use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{
    ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest, config_for_checks,
};
use tfplugin::model::Model as _;
use tfplugin::schema::{Schema, TimeoutKind, Timeouts};
use tfplugin::value::Value;

use self::model::ServerModel;

pub struct ServerResource;

/// Create, update and delete of a server default to 30 minutes: boot from
/// volume and resize copy disks.
const SERVER_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn server_ctx(ctx: &Ctx, object: &Value, kind: TimeoutKind) -> Result<Ctx, Diagnostics> {
    let t = Timeouts::from_resource(object)?;
    let limit = match kind {
        TimeoutKind::Create => t.create_or(SERVER_TIMEOUT),
        TimeoutKind::Read => t.read_or(SERVER_TIMEOUT),
        TimeoutKind::Update => t.update_or(SERVER_TIMEOUT),
        TimeoutKind::Delete => t.delete_or(SERVER_TIMEOUT),
    };
    Ok(ctx.with_timeout(limit))
}

#[async_trait]
impl Resource for ServerResource {
    fn type_name(&self) -> &str {
        "scs_server"
    }

    fn schema(&self) -> Schema {
        ServerModel::schema()
    }

    fn self_check(&self) -> Vec<String> {
        tfplugin::model::check_model::<ServerModel>()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        // A value the model cannot hold is reported on its attribute, like
        // every other problem of the configuration.
        match config_for_checks::<ServerModel>(config) {
            Ok(m) => validate::validate_config(&m),
            Err(d) => d,
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
        plan::modify(ctx, change).await
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        create::create(ctx, &req).await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        read::read(ctx, state).await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        update::update(ctx, req).await
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        delete::delete(ctx, state).await
    }

    fn generate_config(&self, state: &Value) -> Value {
        generate::config(state)
    }
}
