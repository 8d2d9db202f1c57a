//! List resources: `list "scs_server" "web" { config { name = "web" } }` in a
//! `.tfquery.hcl` file finds the project's existing servers (networks,
//! subnets, ports, routers, security groups, volumes) for `terraform query`
//! to show and to generate `import` blocks and configuration for.
//!
//! Every list takes the same filters: `name` (exact), `tags` (all of them,
//! for types with tags) and `region`. A listing finds each object's ID and
//! name only; the framework reads whole objects through the resource's own
//! `read` when Terraform asks for them, as after an import.

use std::sync::Arc;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::model::ApiObject;
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{Ctx, ListResource, Listed};
use tfplugin::model::Model;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, Value};

use crate::lifecycle::CloudObject;
use crate::resources::{network, port, router, security_group, subnet, volume};
use crate::support::{client_for, cloud_error, interrupted};

/// Every list resource the provider offers.
pub fn all() -> Vec<Arc<dyn ListResource>> {
    vec![
        Arc::new(Listing(Servers)),
        collection(network::NetworkResource),
        collection(subnet::SubnetResource),
        collection(port::PortResource),
        collection(router::RouterResource),
        collection(security_group::SecurityGroupResource),
        collection(volume::VolumeResource),
    ]
}

fn collection<T: CloudObject>(object: T) -> Arc<dyn ListResource> {
    Arc::new(Listing(Collection(object)))
}

/// One object as a listing found it.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    id: String,
    name: String,
    /// `None` for kinds without tags.
    tags: Option<Vec<String>>,
}

/// How the objects of one resource type are found.
#[async_trait]
trait Finder: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    /// "servers", for messages.
    fn plural(&self) -> String;
    fn has_tags(&self) -> bool;
    /// Every object of the project.
    async fn find(&self, client: &Client) -> Result<Vec<Found>, scs_client::Error>;
}

/// The objects of a plain REST collection (Neutron's limited to the
/// project, as administrators see every project's).
struct Collection<T>(T);

#[async_trait]
impl<T: CloudObject> Finder for Collection<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn plural(&self) -> String {
        format!("{}s", T::KIND)
    }

    fn has_tags(&self) -> bool {
        T::Model::block().get_attribute("tags").is_some()
    }

    async fn find(&self, client: &Client) -> Result<Vec<Found>, scs_client::Error> {
        let Some(objects) = <T::Api as ApiObject>::objects() else {
            return Ok(Vec::new());
        };
        let project = client.project_id().await?;
        let filters = project
            .as_deref()
            .and_then(<T::Api as ApiObject>::listing_filters)
            .unwrap_or_default();
        let pairs: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let listed = objects.list(client, &pairs).await?;
        Ok(listed
            .into_iter()
            .map(|api| {
                let id = api.id().to_owned();
                let tags = api.tags().map(<[String]>::to_vec);
                let state = self.0.state_from(api, &T::Model::default());
                let name = tfplugin::value::to_untyped_value(&state)
                    .ok()
                    .and_then(|v| v.attr("name").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                Found { id, name, tags }
            })
            .collect())
    }
}

/// Nova servers.
struct Servers;

#[async_trait]
impl Finder for Servers {
    fn type_name(&self) -> &'static str {
        "scs_server"
    }

    fn plural(&self) -> String {
        "servers".to_owned()
    }

    fn has_tags(&self) -> bool {
        true
    }

    async fn find(&self, client: &Client) -> Result<Vec<Found>, scs_client::Error> {
        let servers = scs_client::compute::server::list_servers(client, &[]).await?;
        Ok(servers
            .into_iter()
            .map(|s| Found {
                id: s.id,
                name: s.name,
                tags: Some(s.tags),
            })
            .collect())
    }
}

/// A [`Finder`] as a list resource with the common filters.
struct Listing<F>(F);

impl<F: Finder> Listing<F> {
    fn selects(&self, found: &Found, name: Option<&str>, tags: &[String]) -> bool {
        name.is_none_or(|n| found.name == n)
            && tags
                .iter()
                .all(|t| found.tags.as_deref().unwrap_or_default().contains(t))
    }
}

#[async_trait]
impl<F: Finder> ListResource for Listing<F> {
    fn type_name(&self) -> &str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        let plural = self.0.plural();
        let mut block = Block::new()
            .description(format!(
                "Finds the project's existing {plural} for `terraform query`, to import them."
            ))
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description(format!("Only {plural} with exactly this name.")),
            )
            .attribute(Attribute::string("region").optional().description(format!(
                "The region to list {plural} in. Defaults to the provider's region."
            )));
        if self.0.has_tags() {
            block = block.attribute(
                Attribute::set("tags", tfplugin::value::Type::String)
                    .optional()
                    .description(format!("Only {plural} that carry every one of these tags.")),
            );
        }
        Schema::new(block)
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        for attr in ["name", "region"] {
            if config.attr(attr).and_then(Value::as_str) == Some("") {
                d.error_at(
                    AttributePath::attr(attr),
                    format!("Invalid {attr} filter"),
                    format!("{attr} must not be empty: leave it out instead."),
                );
            }
        }
        d
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: Value,
        limit: Option<usize>,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let name = config.attr("name").and_then(Value::as_str);
        let tags: Vec<String> = config
            .attr("tags")
            .and_then(Value::as_elements)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        let region = match config.attr("region").and_then(Value::as_str) {
            Some(r) => Attr::Known(r.to_owned()),
            None => Attr::Null,
        };
        let (client, region) = client_for(ctx, &region)?;
        let summary = format!("Cannot list {}", self.0.plural());
        let mut found = match ctx.run(self.0.find(&client)).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => return Err(cloud_error(&summary, &e)),
            Err(why) => return Err(interrupted(&summary, why)),
        };
        found.retain(|f| self.selects(f, name, &tags));
        found.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        found.truncate(limit.unwrap_or(usize::MAX));
        let region = match region {
            Attr::Known(r) => Value::from(r),
            _ => Value::Null,
        };
        Ok(found
            .into_iter()
            .map(|f| Listed {
                display_name: if f.name.is_empty() {
                    f.id.clone()
                } else {
                    f.name.clone()
                },
                state: Value::object([("id", Value::from(f.id)), ("region", region.clone())]),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn found(name: &str, tags: Option<&[&str]>) -> Found {
        Found {
            id: format!("id-{name}"),
            name: name.into(),
            tags: tags.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn filters_match_the_exact_name_and_every_tag() {
        let l = Listing(Collection(crate::resources::network::NetworkResource));
        let tags = vec!["a".to_owned(), "b".to_owned()];
        assert!(l.selects(&found("web", None), Some("web"), &[]));
        assert!(!l.selects(&found("web-1", None), Some("web"), &[]));
        assert!(l.selects(&found("web", None), None, &[]));
        assert!(l.selects(&found("x", Some(&["a", "b", "c"])), None, &tags));
        assert!(!l.selects(&found("x", Some(&["a"])), None, &tags));
        assert!(!l.selects(&found("x", None), None, &tags));
    }

    #[test]
    fn every_list_has_a_resource_with_identity_and_a_valid_schema() {
        let resources = crate::resources::all();
        for l in all() {
            assert!(l.schema().validate().is_empty(), "{}", l.type_name());
            let r = resources.iter().find(|r| r.type_name() == l.type_name());
            assert!(
                r.is_some_and(|r| r.identity_schema().is_some()),
                "{}",
                l.type_name()
            );
            let has_tags = l.schema().block.get_attribute("tags").is_some();
            let resource_tags = r.unwrap().schema().block.get_attribute("tags").is_some();
            assert_eq!(has_tags, resource_tags, "{}", l.type_name());
        }
    }
}
