//! Ephemeral resources (`ephemeral "TYPE" "NAME" { }`; Terraform 1.10 and later, OpenTofu 1.11
//! and later): objects that exist for one run of the client. The client opens them when their
//! values are needed, may renew them, and closes them when it is done; their values are never
//! stored in a plan or state.
//!
//! What a resource needs to find its object again on renew and close goes into
//! [`Opened::private`]: the client hands those bytes back verbatim, and stores them nowhere.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;

use super::typed::typed_basics;
use super::{Ctx, config_for_checks};
use crate::diagnostics::Diagnostics;
use crate::model::{Model, check_model};
use crate::schema::Schema;
use crate::value::{Value, from_value};

/// The result of opening: the values configuration may use, private data for renew and close,
/// and when to renew (if the object expires on its own earlier than the run may take).
/// `T` is the raw [`Value`] for an [`EphemeralResource`], the model for a
/// [`TypedEphemeralResource`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opened<T = Value> {
    /// Configuration plus what opening produced.
    pub result: T,
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

/// The outcome of a renewal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Renewed {
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

impl Renewed {
    /// Nothing renewed: the same private data, and no further renewal.
    pub fn unchanged(private: Option<Vec<u8>>) -> Self {
        Renewed {
            private,
            renew_at: None,
        }
    }
}

#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    /// The full type name, e.g. `"scs_application_credential"`.
    fn type_name(&self) -> &str;

    fn schema(&self) -> Schema;

    /// Where the model the resource decodes differs from its schema (see
    /// [`check_model`]); empty for one that works on raw values.
    fn self_check(&self) -> Vec<String> {
        Vec::new()
    }

    /// Checks beyond the schema's; values may be unknown.
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates or fetches the object; `config` is wholly known.
    async fn open(&self, ctx: &Ctx, config: Value) -> Result<Opened, Diagnostics>;

    /// Extends the object's life; by default there is nothing to renew.
    async fn renew(&self, _ctx: &Ctx, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        Ok(Renewed::unchanged(private))
    }

    /// Ends the object's life (deletes what `open` created).
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// An ephemeral resource written against its model. Register it with
/// [`typed_ephemeral_resource`].
#[async_trait]
pub trait TypedEphemeralResource: Send + Sync + 'static {
    type Model: Model;

    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema {
        Self::Model::schema()
    }

    /// Checks across attributes; `config` holds only known list elements.
    async fn validate(&self, _ctx: &Ctx, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates or fetches the object for a wholly known configuration.
    async fn open(
        &self,
        ctx: &Ctx,
        config: Self::Model,
    ) -> Result<Opened<Self::Model>, Diagnostics>;

    /// As [`EphemeralResource::renew`].
    async fn renew(&self, _ctx: &Ctx, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        Ok(Renewed::unchanged(private))
    }

    /// As [`EphemeralResource::close`].
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// `resource` as an [`EphemeralResource`] the dispatcher serves.
pub fn typed_ephemeral_resource<E: TypedEphemeralResource>(
    resource: E,
) -> Arc<dyn EphemeralResource> {
    Arc::new(TypedEphemeralAdapter(resource, PhantomData))
}

struct TypedEphemeralAdapter<E: TypedEphemeralResource>(E, PhantomData<fn() -> E::Model>);

#[async_trait]
impl<E: TypedEphemeralResource> EphemeralResource for TypedEphemeralAdapter<E> {
    typed_basics!(E);

    async fn validate(&self, ctx: &Ctx, config: &Value) -> Diagnostics {
        match config_for_checks::<E::Model>(config) {
            Ok(model) => self.0.validate(ctx, &model).await,
            Err(d) => d,
        }
    }

    async fn open(&self, ctx: &Ctx, config: Value) -> Result<Opened, Diagnostics> {
        let config: E::Model = from_value(&config)?;
        let opened = self.0.open(ctx, config).await?;
        Ok(Opened {
            result: ctx.to_value(&opened.result)?,
            private: opened.private,
            renew_at: opened.renew_at,
        })
    }

    async fn renew(&self, ctx: &Ctx, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        self.0.renew(ctx, private).await
    }

    async fn close(&self, ctx: &Ctx, private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        self.0.close(ctx, private).await
    }
}
