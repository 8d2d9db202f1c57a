//! The configured client, as every resource and data source reaches it.

use std::sync::Arc;

use scs_client::Client;
use scs_kube::Management;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::Ctx;
use tfplugin::value::Attr;

/// What `configure` hands to every resource and data source.
#[derive(Debug, Clone)]
pub struct ProviderData {
    client: Option<Client>,
    region: Option<String>,
    management: Option<Arc<Management>>,
    /// Why there is no cloud client, when the provider block configures only Kubernetes.
    no_cloud: Option<Diagnostics>,
}

impl ProviderData {
    /// `client` is `None` while the provider block still has unknown values.
    pub fn new(client: Option<Client>, region: Option<String>) -> Self {
        Self {
            client,
            region,
            management: None,
            no_cloud: None,
        }
    }

    /// A provider without an OpenStack cloud: `why` is the error of every resource that needs
    /// one.
    pub fn without_cloud(mut self, why: Diagnostics) -> Self {
        self.no_cloud = Some(why);
        self
    }

    /// The management cluster of the cluster stack resources; `None` while the `kubernetes`
    /// block still has unknown values. Nothing is contacted until a resource asks.
    pub fn with_management(mut self, management: Option<Arc<Management>>) -> Self {
        self.management = management;
        self
    }

    /// The management cluster; an error diagnostic while the `kubernetes` block has unknown
    /// values.
    pub fn management(&self) -> Result<&Arc<Management>, Diagnostics> {
        self.management.as_ref().ok_or_else(|| {
            Diagnostic::error(
                "Kubernetes configuration not known yet",
                "The provider's kubernetes block uses values that are only known after apply, so \
                 the provider cannot reach the management cluster during this plan.",
            )
            .into()
        })
    }

    /// The management cluster when the `kubernetes` block is known.
    pub fn management_if_known(&self) -> Option<&Arc<Management>> {
        self.management.as_ref()
    }

    /// The API client; an error diagnostic while the provider block still has unknown values (Terraform
    /// plans before the resources those values come from exist).
    pub fn client(&self) -> Result<&Client, Diagnostics> {
        if let (None, Some(why)) = (&self.client, &self.no_cloud) {
            return Err(why.clone());
        }
        self.client.as_ref().ok_or_else(|| {
            Diagnostic::error(
                "Provider configuration not known yet",
                "The provider \"scs\" block uses values that are only known after apply, so the provider \
                 cannot reach the cloud during this plan. Apply the resources the provider block depends \
                 on first (for example with -target), or give the provider known values.",
            )
            .into()
        })
    }

    /// The provider's region (from the block, OS_REGION_NAME or clouds.yaml), if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

/// The client to use for an object whose `region` attribute is `region`,
/// and the region to record in state (the provider's when unset).
pub fn client_for(ctx: &Ctx, region: &Attr<String>) -> Result<(Client, Attr<String>), Diagnostics> {
    let data = ctx.provider_data::<ProviderData>()?;
    let client = data.client()?;
    match region.known().filter(|r| !r.is_empty()) {
        Some(wanted) => Ok((client.in_region(Some(wanted)), Attr::Known(wanted.clone()))),
        None => Ok((
            client.clone(),
            data.region()
                .map_or(Attr::Null, |r| Attr::Known(r.to_owned())),
        )),
    }
}

/// What a life-cycle step talks to: the client for the object's region and the request's context,
/// whose deadline and cancellation bound every wait. It dereferences to the client, so a step
/// passes it straight to the client's functions.
#[derive(Clone, Copy)]
pub struct Cloud<'a> {
    pub ctx: &'a Ctx,
    pub client: &'a Client,
}

impl<'a> Cloud<'a> {
    pub fn new(ctx: &'a Ctx, client: &'a Client) -> Self {
        Self { ctx, client }
    }

    /// The deadline and cancellation of the request, for the client's waits.
    pub fn budget(&self) -> scs_client::wait::Budget {
        super::budget(self.ctx)
    }
}

impl std::ops::Deref for Cloud<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client
    }
}
