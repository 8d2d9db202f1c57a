//! `scs_image` data source: one Glance image by name, name pattern or its
//! scs-0102 properties, with the image's lifecycle promises.

use std::collections::BTreeMap;

use async_trait::async_trait;
use regex::Regex;
use scs_client::image::{self as glance, Image};
use scs_client::scs::date::Timestamp;
use scs_client::scs::{ImageCandidate, ImageLifecycle, ImageQuery};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, DataSource};
use tfplugin::schema::{Attribute, Block, Schema, validators};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::support::{call, client_for};

pub struct ImageDataSource;

const FILTERS: [&str; 7] = [
    "name",
    "name_regex",
    "os_distro",
    "os_version",
    "architecture",
    "os_purpose",
    "tags",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct ImageModel {
    region: Attr<String>,
    id: Attr<String>,
    name: Attr<String>,
    name_regex: Attr<String>,
    os_distro: Attr<String>,
    os_version: Attr<String>,
    architecture: Attr<String>,
    os_purpose: Attr<String>,
    visibility: Attr<String>,
    tags: Attr<Vec<String>>,
    most_recent: Attr<bool>,
    properties: Attr<BTreeMap<String, String>>,
    min_disk_gb: Attr<u64>,
    min_ram_mb: Attr<u64>,
    image_build_date: Attr<String>,
    provided_until: Attr<String>,
    replace_frequency: Attr<String>,
    uuid_validity: Attr<String>,
    created_at: Attr<String>,
}

impl ImageModel {
    fn check(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let given = [
            !self.name.is_null(),
            !self.name_regex.is_null(),
            !self.os_distro.is_null(),
            !self.os_version.is_null(),
            !self.architecture.is_null(),
            !self.os_purpose.is_null(),
            self.tags.known().is_some_and(|t| !t.is_empty()) || self.tags.is_unknown(),
        ];
        if !given.iter().any(|g| *g) {
            d.error_at(
                AttributePath::attr("name"),
                "Missing image query",
                format!("Set at least one of {}.", FILTERS.join(", ")),
            );
        }
        if let Some(re) = self.name_regex.known()
            && let Err(e) = Regex::new(re)
        {
            d.error_at(
                AttributePath::attr("name_regex"),
                "Invalid regular expression",
                e.to_string(),
            );
        }
        d
    }

    fn query(&self) -> Result<ImageQuery, Diagnostics> {
        let name_regex = match self.name_regex.known() {
            Some(re) => Some(Regex::new(re).map_err(|e| {
                Diagnostics::from(
                    Diagnostic::error("Invalid regular expression", e.to_string())
                        .with_path(AttributePath::attr("name_regex")),
                )
            })?),
            None => None,
        };
        Ok(ImageQuery {
            name: self.name.known().cloned(),
            name_regex,
            os_distro: self.os_distro.known().cloned(),
            os_version: self.os_version.known().cloned(),
            architecture: self.architecture.known().cloned(),
            os_purpose: self.os_purpose.known().cloned(),
            visibility: self.visibility.known().cloned(),
            tags: self.tags.known().cloned().unwrap_or_default(),
            properties: BTreeMap::new(),
            most_recent: self.most_recent.known().copied().unwrap_or(false),
        })
    }

    /// The result: filters the configuration set keep their configured
    /// spelling (Glance properties match regardless of case); the rest come
    /// from the image.
    fn with_image(self, image: &Image, candidate: &ImageCandidate) -> ImageModel {
        let prop = |configured: Attr<String>, key: &str| match configured {
            Attr::Known(v) => Attr::Known(v),
            _ => candidate
                .properties
                .get(key)
                .cloned()
                .map_or(Attr::Null, Attr::Known),
        };
        let life = ImageLifecycle::of(candidate);
        let opt = |v: Option<String>| v.map_or(Attr::Null, Attr::Known);
        ImageModel {
            id: Attr::Known(image.id.clone()),
            name: Attr::Known(image.name.clone()),
            os_distro: prop(self.os_distro, "os_distro"),
            os_version: prop(self.os_version, "os_version"),
            architecture: prop(self.architecture, "architecture"),
            os_purpose: prop(self.os_purpose, "os_purpose"),
            visibility: Attr::Known(image.visibility.clone()),
            tags: match self.tags {
                Attr::Known(t) => Attr::Known(t),
                _ => Attr::Known(image.tags.clone()),
            },
            most_recent: self.most_recent,
            properties: Attr::Known(candidate.properties.clone()),
            min_disk_gb: Attr::Known(image.min_disk),
            min_ram_mb: Attr::Known(image.min_ram),
            image_build_date: opt(life.image_build_date),
            provided_until: opt(life.provided_until),
            replace_frequency: opt(life.replace_frequency),
            uuid_validity: opt(life.uuid_validity),
            created_at: opt(image.created_at.clone()),
            region: self.region,
            name_regex: self.name_regex,
        }
    }
}

#[async_trait]
impl DataSource for ImageDataSource {
    fn type_name(&self) -> &str {
        "scs_image"
    }

    fn schema(&self) -> Schema {
        let filter = |name: &str, what: &str| {
            Attribute::string(name)
                .optional()
                .computed()
                .description(what.to_owned())
        };
        let out = |name: &str, what: &str| {
            Attribute::string(name)
                .computed()
                .description(what.to_owned())
        };
        Schema::new(
            Block::new()
                .description("Finds one active Glance image by name, name pattern or scs-0102 properties.")
                .attribute(Attribute::string("region").optional().computed())
                .attribute(Attribute::string("id").computed().description("The image's ID."))
                .attribute(filter("name", "The exact image name."))
                .attribute(
                    Attribute::string("name_regex")
                        .optional()
                        .description("A regular expression the name must match (anywhere unless anchored)."),
                )
                .attribute(filter("os_distro", "scs-0102 `os_distro`, e.g. `ubuntu` (any case)."))
                .attribute(filter("os_version", "scs-0102 `os_version`, e.g. `24.04`."))
                .attribute(filter("architecture", "e.g. `x86_64`."))
                .attribute(filter(
                    "os_purpose",
                    "scs-0102 v2 `os_purpose`; when unset, `generic` images are preferred.",
                ))
                .attribute(
                    Attribute::string("visibility")
                        .optional()
                        .computed()
                        .validator(validators::one_of(&["public", "private", "shared", "community"]))
                        .description("Only images with this visibility (community images are only found when asked for)."),
                )
                .attribute(
                    Attribute::set("tags", Type::String)
                        .optional()
                        .computed()
                        .description("Only images that carry all these tags."),
                )
                .attribute(
                    Attribute::bool("most_recent")
                        .optional()
                        .description("When several images match, take the newest (by `image_build_date`, then creation time) instead of failing."),
                )
                .attribute(
                    Attribute::map("properties", Type::String)
                        .computed()
                        .description("All image properties as strings."),
                )
                .attribute(Attribute::number("min_disk_gb").computed().description("Minimum disk in GiB."))
                .attribute(Attribute::number("min_ram_mb").computed().description("Minimum RAM in MiB."))
                .attribute(out("image_build_date", "scs-0102 `image_build_date`."))
                .attribute(out("provided_until", "scs-0102 `provided_until`; a warning is shown once it has passed."))
                .attribute(out("replace_frequency", "scs-0102 `replace_frequency`."))
                .attribute(out("uuid_validity", "scs-0102 `uuid_validity`."))
                .attribute(out("created_at", "When the image was uploaded.")),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match from_value::<ImageModel>(config) {
            Ok(m) => m.check(),
            Err(e) => Diagnostic::error("Invalid configuration", e.to_string()).into(),
        }
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let want: ImageModel = from_value(&config)?;
        let problems = want.check();
        if problems.has_errors() {
            return Err(problems);
        }
        let query = want.query()?;
        let (client, region) = client_for(ctx, &want.region)?;
        let filters = query.server_filters();
        let filters: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let images = call(
            ctx,
            "Cannot list images",
            glance::list_images(&client, &filters),
        )
        .await?;
        let candidates: Vec<ImageCandidate> = images.iter().map(ImageCandidate::from).collect();
        let chosen = query.select(&candidates).map_err(|e| {
            Diagnostics::from(Diagnostic::error("No single matching image", e.to_string()))
        })?;
        let Some(image) = images.iter().find(|i| i.id == chosen.id) else {
            return Err(Diagnostic::error("Image vanished", chosen.id.clone()).into());
        };
        if let Some(warning) = ImageLifecycle::of(chosen).expiry_warning(chosen, Timestamp::now()) {
            ctx.warn("Image past provided_until", warning);
        }
        let out = ImageModel { region, ..want }.with_image(image, chosen);
        ctx.to_value(&out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schema_is_valid() {
        assert!(ImageDataSource.schema().validate().is_empty());
    }

    #[test]
    fn a_query_needs_a_filter_and_a_valid_regex() {
        assert!(ImageModel::default().check().has_errors());
        let bad = ImageModel {
            name_regex: Attr::Known("(".into()),
            ..Default::default()
        };
        assert!(format!("{:?}", bad.check()).contains("name_regex"));
        let ok = ImageModel {
            os_distro: Attr::Known("ubuntu".into()),
            ..Default::default()
        };
        assert!(!ok.check().has_errors());
    }

    #[test]
    fn configured_spelling_is_kept() {
        let image = Image {
            id: "i".into(),
            name: "Ubuntu 24.04".into(),
            status: "active".into(),
            properties: [
                ("os_distro".to_owned(), serde_json::json!("ubuntu")),
                ("os_version".to_owned(), serde_json::json!("24.04")),
                ("provided_until".to_owned(), serde_json::json!("none")),
            ]
            .into(),
            ..Default::default()
        };
        let c = ImageCandidate::from(&image);
        let want = ImageModel {
            os_distro: Attr::Known("Ubuntu".into()),
            ..Default::default()
        };
        let out = want.with_image(&image, &c);
        assert_eq!(out.os_distro, Attr::Known("Ubuntu".into()));
        assert_eq!(out.os_version, Attr::Known("24.04".into()));
        assert_eq!(out.provided_until, Attr::Known("none".into()));
        assert_eq!(out.architecture, Attr::Null);
    }
}
