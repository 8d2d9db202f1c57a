//! `scs_image` data source: one Glance image by name, name pattern or its
//! scs-0102 properties, with the image's lifecycle promises.

use std::collections::BTreeMap;

use async_trait::async_trait;
use regex::Regex;
use scs_client::image::{self as glance, Image};
use scs_client::scs::date::Timestamp;
use scs_client::scs::{ImageCandidate, ImageLifecycle, ImageQuery};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::schema::validators;
use tfplugin::value::Attr;

use crate::support::{call, client_for};

pub struct ImageDataSource;

/// Finds one active Glance image by name, name pattern or scs-0102 properties.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(at_least_one_of(
    name,
    name_regex,
    os_distro,
    os_version,
    architecture,
    os_purpose,
    tags
))]
pub struct ImageModel {
    /// The region to search in. Defaults to the provider's region.
    #[tf(optional, computed)]
    region: Attr<String>,
    /// The image's ID (use it as `scs_server.image_id` or `scs_volume.image_id`).
    #[tf(computed)]
    id: Attr<String>,
    /// The exact image name.
    #[tf(optional, computed)]
    name: Attr<String>,
    /// A regular expression the name must match (anywhere unless anchored with `^`/`$`).
    #[tf(optional)]
    name_regex: Attr<String>,
    /// scs-0102 `os_distro`, e.g. `ubuntu`, `debian` (any case).
    #[tf(optional, computed)]
    os_distro: Attr<String>,
    /// scs-0102 `os_version`, e.g. `24.04`.
    #[tf(optional, computed)]
    os_version: Attr<String>,
    /// The `architecture` property, e.g. `x86_64`, `aarch64`.
    #[tf(optional, computed)]
    architecture: Attr<String>,
    /// scs-0102 v2 `os_purpose`: `generic`, `minimal`, `k8snode`, `gpu`, ...; when unset,
    /// `generic` images are preferred.
    #[tf(optional, computed)]
    os_purpose: Attr<String>,
    /// Only images with this visibility: `public`, `private`, `shared` or `community`. Community
    /// images are only found when this is `community`.
    #[tf(
        optional,
        computed,
        validator = validators::one_of(&["public", "private", "shared", "community"])
    )]
    visibility: Attr<String>,
    /// Only images that carry all of these tags.
    #[tf(optional, computed, set)]
    tags: Attr<Vec<String>>,
    /// When several images match, take the newest (by `image_build_date`, then creation time)
    /// instead of failing.
    #[tf(optional)]
    most_recent: Attr<bool>,
    /// All image properties, as strings.
    #[tf(computed)]
    properties: Attr<BTreeMap<String, String>>,
    /// The image's minimum disk in GiB (the root volume size a diskless flavor boots it with).
    #[tf(computed)]
    min_disk_gb: Attr<u64>,
    /// The image's minimum RAM in MiB.
    #[tf(computed)]
    min_ram_mb: Attr<u64>,
    /// scs-0102 `image_build_date`: when the image was built.
    #[tf(computed)]
    image_build_date: Attr<String>,
    /// scs-0102 `provided_until` (a date, `none` or `notice`); a warning is shown once it has
    /// passed.
    #[tf(computed)]
    provided_until: Attr<String>,
    /// scs-0102 `replace_frequency` (e.g. `monthly`).
    #[tf(computed)]
    replace_frequency: Attr<String>,
    /// scs-0102 `uuid_validity` (how long the ID stays valid).
    #[tf(computed)]
    uuid_validity: Attr<String>,
    /// When the image was uploaded.
    #[tf(computed)]
    created_at: Attr<String>,
}

impl ImageModel {
    /// Checks the block rules cannot express: `name_regex` must compile.
    fn check(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
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
impl TypedDataSource for ImageDataSource {
    type Model = ImageModel;
    const TYPE_NAME: &'static str = "scs_image";

    async fn validate(&self, _ctx: &Ctx, config: &ImageModel) -> Diagnostics {
        config.check()
    }

    async fn read(&self, ctx: &Ctx, want: ImageModel) -> Result<ImageModel, Diagnostics> {
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
        Ok(ImageModel { region, ..want }.with_image(image, chosen))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tfplugin::model::{Model as _, check_model};

    /// What validation reports: the schema's block rules, then `check`.
    fn problems(m: &ImageModel) -> Diagnostics {
        super::super::testing::validation_problems(m, ImageModel::check)
    }

    #[test]
    fn schema_is_valid() {
        assert!(ImageModel::schema().validate().is_empty());
        assert!(check_model::<ImageModel>().is_empty());
    }

    #[test]
    fn a_query_needs_a_filter_and_a_valid_regex() {
        let none = format!("{:?}", problems(&ImageModel::default()));
        assert!(none.contains("Missing required argument"), "{none}");
        let no_tags = ImageModel {
            tags: Attr::Known(Vec::new()),
            ..Default::default()
        };
        assert!(problems(&no_tags).has_errors());
        let unknown_tags = ImageModel {
            tags: Attr::Unknown,
            ..Default::default()
        };
        assert!(!problems(&unknown_tags).has_errors());
        let bad = ImageModel {
            name_regex: Attr::Known("(".into()),
            ..Default::default()
        };
        assert!(format!("{:?}", problems(&bad)).contains("name_regex"));
        assert!(bad.query().is_err());
        let ok = ImageModel {
            os_distro: Attr::Known("ubuntu".into()),
            ..Default::default()
        };
        assert!(!problems(&ok).has_errors());
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
