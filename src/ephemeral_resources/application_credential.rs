//! `scs_application_credential` (ephemeral): a short-lived Keystone application credential for
//! other tools in the same run, deleted when the run ends.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use scs_client::identity::{self, CreateApplicationCredential, RoleRef};
use scs_client::scs::date::Timestamp;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, Opened, TypedEphemeralResource};
use tfplugin::schema::parse_duration;
use tfplugin::value::Attr;

use crate::support::{ProviderData, call, cloud_error, interrupted};

pub struct ApplicationCredentialResource;

/// How long the credential lives when `expires_in` is not set.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A Keystone application credential of the provider's user in the provider's project, for other
/// tools in the same run (another provider block, a write-only attribute). It is created when the
/// client opens it and deleted when the client is done with it; it also expires on its own after
/// `expires_in`. Its secret is in no plan and no state.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationCredentialModel {
    /// The credential's name, unique among the user's application credentials. Defaults to
    /// `terraform-ephemeral-` and a number that differs from run to run.
    #[tf(optional, computed)]
    pub name: Attr<String>,
    /// A description stored with the credential.
    #[tf(optional)]
    pub description: Attr<String>,
    /// Names of the roles the credential may use, a subset of the user's roles in the project
    /// (for example `["reader"]`). All of the user's roles when unset.
    #[tf(optional, set)]
    pub roles: Attr<Vec<String>>,
    /// How long the credential lives at most, such as `30m` or `2h`; default `1h`. The client
    /// deletes it at the end of the run in any case.
    #[tf(optional)]
    pub expires_in: Attr<String>,
    /// Whether the credential may create further application credentials and trusts. Default
    /// `false` (restricted), which is what other tools need.
    #[tf(optional)]
    pub unrestricted: Attr<bool>,
    /// The credential's ID (use it as `application_credential_id`).
    #[tf(computed)]
    pub id: Attr<String>,
    /// The credential's secret (use it as `application_credential_secret`).
    #[tf(computed, sensitive)]
    pub secret: Attr<String>,
    /// When Keystone lets the credential expire (RFC 3339, UTC).
    #[tf(computed)]
    pub expires_at: Attr<String>,
    /// The Keystone URL the credential authenticates against.
    #[tf(computed)]
    pub auth_url: Attr<String>,
    /// The project the credential acts in.
    #[tf(computed)]
    pub project_id: Attr<String>,
    /// The provider's region, for the other tool.
    #[tf(computed)]
    pub region: Attr<String>,
}

/// What close needs, passed through the client as private bytes: `user_id` and `id`, one per
/// line (neither contains a line break).
struct Handle {
    user_id: String,
    id: String,
}

impl Handle {
    fn to_bytes(&self) -> Vec<u8> {
        format!("{}\n{}", self.user_id, self.id).into_bytes()
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let (user_id, id) = text.split_once('\n')?;
        (!user_id.is_empty() && !id.is_empty()).then(|| Handle {
            user_id: user_id.to_owned(),
            id: id.to_owned(),
        })
    }
}

fn lifetime(expires_in: &Attr<String>) -> Result<Duration, Diagnostics> {
    match expires_in.known() {
        None => Ok(DEFAULT_LIFETIME),
        Some(text) => parse_duration(text)
            .filter(|d| *d >= Duration::from_secs(60))
            .ok_or_else(|| {
                Diagnostic::error(
                    "Invalid expires_in",
                    format!(
                        "expires_in is a duration of at least one minute such as \"30m\" or \"2h\", got {text:?}."
                    ),
                )
                .with_path(AttributePath::attr("expires_in"))
                .into()
            }),
    }
}

/// The time since the Unix epoch (zero on a clock set before it).
fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// A name that differs from run to run: the time in nanoseconds and the process ID.
fn default_name() -> String {
    let nanos = since_epoch().as_nanos();
    format!("terraform-ephemeral-{nanos:x}-{}", std::process::id())
}

#[async_trait]
impl TypedEphemeralResource for ApplicationCredentialResource {
    type Model = ApplicationCredentialModel;
    const TYPE_NAME: &'static str = "scs_application_credential";

    async fn validate(&self, _ctx: &Ctx, config: &ApplicationCredentialModel) -> Diagnostics {
        lifetime(&config.expires_in).err().unwrap_or_default()
    }

    async fn open(
        &self,
        ctx: &Ctx,
        mut model: ApplicationCredentialModel,
    ) -> Result<Opened<ApplicationCredentialModel>, Diagnostics> {
        let lifetime = lifetime(&model.expires_in)?;
        let data = ctx.provider_data::<ProviderData>()?;
        let client = data.client()?.clone();
        let summary = "Cannot create application credential";
        let user_id = call(ctx, summary, identity::current_user_id(&client)).await?;
        let expires_at =
            Timestamp::from_unix(since_epoch().as_secs() + lifetime.as_secs()).to_string();
        let name = model.name.known().cloned().unwrap_or_else(default_name);
        let request = CreateApplicationCredential {
            name: name.clone(),
            description: model.description.known().cloned(),
            roles: model
                .roles
                .items()
                .map(|r| RoleRef { name: r.clone() })
                .collect(),
            expires_at: Some(expires_at.clone()),
            unrestricted: model.unrestricted.known().copied().unwrap_or(false),
            ..Default::default()
        };
        let created = ctx
            .run(identity::create_application_credential(
                &client, &user_id, &request,
            ))
            .await;
        let (credential, secret) = match created {
            Ok(Ok(c)) => c,
            Ok(Err(e)) if e.status().is_some_and(|s| s.as_u16() == 403) => {
                return Err(Diagnostic::error(
                    summary,
                    format!(
                        "{e}. Keystone lets a user create application credentials when they \
                         authenticated with a password or a token, or with an unrestricted \
                         application credential; a provider that authenticates with a restricted \
                         application credential (the default kind) cannot create more."
                    ),
                )
                .into());
            }
            Ok(Err(e)) => return Err(cloud_error(summary, &e)),
            Err(why) => return Err(interrupted(summary, why)),
        };
        let handle = Handle {
            user_id,
            id: credential.id.clone(),
        };
        model.name = Attr::Known(credential.name.clone());
        model.id = Attr::Known(credential.id.clone());
        model.secret = Attr::Known(secret.expose().to_owned());
        model.expires_at = Attr::Known(credential.expires_at.clone().unwrap_or(expires_at));
        model.auth_url = Attr::Known(client.config().auth_url.to_string());
        model.project_id = match credential.project_id.clone() {
            Some(p) => Attr::Known(p),
            None => call(ctx, summary, client.project_id()).await?.into(),
        };
        model.region = data
            .region()
            .map_or(Attr::Null, |r| Attr::Known(r.to_owned()));
        Ok(Opened {
            result: model,
            private: Some(handle.to_bytes()),
            renew_at: None,
        })
    }

    async fn close(&self, ctx: &Ctx, private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        let summary = "Cannot delete application credential";
        let Some(handle) = private.as_deref().and_then(Handle::from_bytes) else {
            return Err(Diagnostic::error(
                summary,
                "The client did not pass back which credential to delete; it expires on its own.",
            )
            .into());
        };
        let data = ctx.provider_data::<ProviderData>()?;
        let client = data.client()?;
        call(
            ctx,
            summary,
            identity::delete_application_credential(client, &handle.user_id, &handle.id),
        )
        .await
    }
}
