//! Choosing an image by name or by its scs-0102 properties (the `scs_image` data source).
//!
//! Only `active` images are considered. Filters combine with AND: `name` (exact), `name_regex`
//! (anywhere in the name unless anchored), `os_distro`, `os_version`, `architecture`, `os_purpose`
//! (ASCII case-insensitive, since clouds differ in capitalisation of these), `visibility`, `tags`
//! (all of them), and any further `properties` (exact).
//!
//! When no `os_purpose` is given and the matches include `os_purpose=generic` images, only those
//! are kept: scs-0102 v2 promises at most one public generic image per distro, version and
//! architecture, so `os_distro = "ubuntu", os_version = "24.04"` finds the stock image rather than
//! also a Kubernetes node image built from it.
//!
//! More than one match is an error unless `most_recent` is set; then the newest wins, by
//! `image_build_date` (falling back to `created_at` for an image without one), then `created_at`,
//! then name and id, so the choice is deterministic.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;

use super::date::Timestamp;

/// What the selection needs to know about one image. `properties` holds every image attribute
/// that is not one of the fields here, as a string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageCandidate {
    pub id: String,
    pub name: String,
    pub status: String,
    pub visibility: String,
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct ImageQuery {
    pub name: Option<String>,
    pub name_regex: Option<Regex>,
    pub os_distro: Option<String>,
    pub os_version: Option<String>,
    pub architecture: Option<String>,
    pub os_purpose: Option<String>,
    pub visibility: Option<String>,
    pub tags: Vec<String>,
    pub properties: BTreeMap<String, String>,
    pub most_recent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSelectError {
    NoMatch {
        query: String,
        checked: usize,
    },
    Ambiguous {
        query: String,
        /// `name (id)` of up to five matches, newest first.
        matches: Vec<String>,
        total: usize,
    },
}

impl fmt::Display for ImageSelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageSelectError::NoMatch { query, checked } => {
                write!(
                    f,
                    "no active image matches {query} ({checked} images checked)"
                )
            }
            ImageSelectError::Ambiguous {
                query,
                matches,
                total,
            } => write!(
                f,
                "{total} images match {query}: {}{}; narrow the query or set most_recent = true",
                matches.join(", "),
                if *total > matches.len() { ", …" } else { "" }
            ),
        }
    }
}

impl std::error::Error for ImageSelectError {}

const SCS_PROPERTY_FILTERS: [&str; 4] = ["os_distro", "os_version", "architecture", "os_purpose"];

impl ImageQuery {
    fn scs_filters(&self) -> [(&'static str, Option<&String>); 4] {
        let values = [
            self.os_distro.as_ref(),
            self.os_version.as_ref(),
            self.architecture.as_ref(),
            self.os_purpose.as_ref(),
        ];
        let mut out = [("", None); 4];
        for (slot, (key, value)) in out
            .iter_mut()
            .zip(SCS_PROPERTY_FILTERS.into_iter().zip(values))
        {
            *slot = (key, value);
        }
        out
    }

    /// The filters Glance can apply itself: `name`, `visibility` and each tag. Pass them to
    /// `image::list_images`; `visibility` matters beyond speed, since Glance lists community
    /// images only when asked. SCS properties stay client-side, where they match regardless of
    /// case.
    pub fn server_filters(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(n) = &self.name {
            out.push(("name", n.clone()));
        }
        if let Some(v) = &self.visibility {
            out.push(("visibility", v.clone()));
        }
        out.extend(self.tags.iter().map(|t| ("tag", t.clone())));
        out
    }

    pub fn matches(&self, image: &ImageCandidate) -> bool {
        if image.status != "active" {
            return false;
        }
        if self.name.as_ref().is_some_and(|n| *n != image.name) {
            return false;
        }
        if self
            .name_regex
            .as_ref()
            .is_some_and(|re| !re.is_match(&image.name))
        {
            return false;
        }
        for (key, wanted) in self.scs_filters() {
            if let Some(wanted) = wanted
                && !image
                    .properties
                    .get(key)
                    .is_some_and(|have| have.eq_ignore_ascii_case(wanted))
            {
                return false;
            }
        }
        if self
            .visibility
            .as_ref()
            .is_some_and(|v| *v != image.visibility)
        {
            return false;
        }
        if !self.tags.iter().all(|t| image.tags.contains(t)) {
            return false;
        }
        self.properties
            .iter()
            .all(|(k, v)| image.properties.get(k) == Some(v))
    }

    /// The matching images, newest first.
    pub fn matching<'a>(&self, images: &'a [ImageCandidate]) -> Vec<&'a ImageCandidate> {
        let mut found: Vec<&ImageCandidate> = images.iter().filter(|i| self.matches(i)).collect();
        if self.os_purpose.is_none()
            && found.iter().any(|i| is_generic(i))
            && !found.iter().all(|i| is_generic(i))
        {
            found.retain(|i| is_generic(i));
        }
        found.sort_by_key(|i| std::cmp::Reverse(recency_key(i)));
        found
    }

    pub fn select<'a>(
        &self,
        images: &'a [ImageCandidate],
    ) -> Result<&'a ImageCandidate, ImageSelectError> {
        let found = self.matching(images);
        match found.as_slice() {
            [] => Err(ImageSelectError::NoMatch {
                query: self.to_string(),
                checked: images.len(),
            }),
            [only] => Ok(only),
            [newest, ..] if self.most_recent => Ok(newest),
            _ => Err(ImageSelectError::Ambiguous {
                query: self.to_string(),
                matches: found
                    .iter()
                    .take(5)
                    .map(|i| format!("{} ({})", i.name, i.id))
                    .collect(),
                total: found.len(),
            }),
        }
    }
}

fn is_generic(image: &ImageCandidate) -> bool {
    image
        .properties
        .get("os_purpose")
        .is_some_and(|p| p.eq_ignore_ascii_case("generic"))
}

type RecencyKey<'a> = (Option<Timestamp>, Option<Timestamp>, &'a str, &'a str);

fn recency_key(image: &ImageCandidate) -> RecencyKey<'_> {
    let created = image.created_at.as_deref().and_then(Timestamp::parse);
    let built = image
        .properties
        .get("image_build_date")
        .and_then(|d| Timestamp::parse(d))
        .or(created);
    (built, created, image.name.as_str(), image.id.as_str())
}

impl fmt::Display for ImageQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(n) = &self.name {
            parts.push(format!("name = {n:?}"));
        }
        if let Some(re) = &self.name_regex {
            parts.push(format!("name_regex = {:?}", re.as_str()));
        }
        for (key, value) in self.scs_filters() {
            if let Some(v) = value {
                parts.push(format!("{key} = {v:?}"));
            }
        }
        if let Some(v) = &self.visibility {
            parts.push(format!("visibility = {v:?}"));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tags = {:?}", self.tags));
        }
        for (k, v) in &self.properties {
            parts.push(format!("{k} = {v:?}"));
        }
        if parts.is_empty() {
            f.write_str("(no filters)")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// scs-0102 `provided_until`: a date, `none` (no promise) or `notice` (until a deprecation notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvidedUntil {
    Date(Timestamp),
    NoPromise,
    UntilNotice,
    /// Anything else, kept as written.
    Other(String),
}

impl ProvidedUntil {
    pub fn parse(value: &str) -> Self {
        match value {
            "none" => ProvidedUntil::NoPromise,
            "notice" => ProvidedUntil::UntilNotice,
            _ => Timestamp::parse(value)
                .map(ProvidedUntil::Date)
                .unwrap_or_else(|| ProvidedUntil::Other(value.to_string())),
        }
    }
}

/// The scs-0102 update-handling properties of one image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageLifecycle {
    pub image_build_date: Option<String>,
    pub provided_until: Option<String>,
    pub replace_frequency: Option<String>,
    pub uuid_validity: Option<String>,
}

impl ImageLifecycle {
    pub fn of(image: &ImageCandidate) -> Self {
        let get = |k: &str| image.properties.get(k).cloned();
        ImageLifecycle {
            image_build_date: get("image_build_date"),
            provided_until: get("provided_until"),
            replace_frequency: get("replace_frequency"),
            uuid_validity: get("uuid_validity"),
        }
    }

    /// Whether `provided_until` is a date before `now`'s day. The date itself still counts as
    /// provided ("until at least the date", all dates UTC).
    pub fn is_past_provided_until(&self, now: Timestamp) -> bool {
        matches!(
            self.provided_until.as_deref().map(ProvidedUntil::parse),
            Some(ProvidedUntil::Date(d)) if d.start_of_day() < now.start_of_day()
        )
    }

    /// The warning the data source shows for an image past `provided_until`.
    pub fn expiry_warning(&self, image: &ImageCandidate, now: Timestamp) -> Option<String> {
        if !self.is_past_provided_until(now) {
            return None;
        }
        Some(format!(
            "image {:?} ({}) was provided until {}: the cloud no longer promises updates for it{}",
            image.name,
            image.id,
            self.provided_until.as_deref().unwrap_or_default(),
            match self.uuid_validity.as_deref() {
                Some(v) => format!(" (its id stays valid per uuid_validity = {v:?})"),
                None => String::new(),
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn image(id: &str, name: &str, props: &[(&str, &str)]) -> ImageCandidate {
        ImageCandidate {
            id: id.into(),
            name: name.into(),
            status: "active".into(),
            visibility: "public".into(),
            tags: vec![],
            created_at: Some("2024-01-01T00:00:00Z".into()),
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }

    fn ubuntu(id: &str, name: &str, build: &str, purpose: &str) -> ImageCandidate {
        image(
            id,
            name,
            &[
                ("os_distro", "ubuntu"),
                ("os_version", "24.04"),
                ("architecture", "x86_64"),
                ("os_purpose", purpose),
                ("image_build_date", build),
            ],
        )
    }

    fn cloud() -> Vec<ImageCandidate> {
        vec![
            ubuntu("u1", "Ubuntu 24.04", "2025-06-01", "generic"),
            ubuntu("u0", "Ubuntu 24.04 20250301", "2025-03-01", "oldgeneric"),
            ubuntu("k1", "ubuntu-capi-image-v1.32.1", "2025-06-02", "k8snode"),
            image(
                "d1",
                "Debian 12",
                &[
                    ("os_distro", "debian"),
                    ("os_version", "12"),
                    ("architecture", "x86_64"),
                ],
            ),
        ]
    }

    fn by_props(distro: &str, version: &str) -> ImageQuery {
        ImageQuery {
            os_distro: Some(distro.into()),
            os_version: Some(version.into()),
            ..Default::default()
        }
    }

    #[test]
    fn scs_properties_find_the_generic_image() {
        let images = cloud();
        assert_eq!(
            by_props("ubuntu", "24.04").select(&images).unwrap().id,
            "u1"
        );
        assert_eq!(
            by_props("Ubuntu", "24.04").select(&images).unwrap().id,
            "u1"
        );
        let mut q = by_props("ubuntu", "24.04");
        q.os_purpose = Some("k8snode".into());
        assert_eq!(q.select(&images).unwrap().id, "k1");
        assert_eq!(by_props("debian", "12").select(&images).unwrap().id, "d1");
        assert!(matches!(
            by_props("debian", "11").select(&images),
            Err(ImageSelectError::NoMatch { checked: 4, .. })
        ));
    }

    #[test]
    fn ambiguity_is_an_error_unless_most_recent() {
        let images = cloud();
        let q = ImageQuery {
            name_regex: Some(Regex::new("^Ubuntu").unwrap()),
            os_purpose: None,
            ..Default::default()
        };
        // Both generic and oldgeneric match the regex; narrowing keeps the generic one.
        assert_eq!(q.select(&images).unwrap().id, "u1");
        let q = ImageQuery {
            name_regex: Some(Regex::new("(?i)ubuntu").unwrap()),
            os_purpose: Some("oldgeneric".into()),
            ..Default::default()
        };
        assert_eq!(q.select(&images).unwrap().id, "u0");
        let mut two = cloud();
        two.push(ubuntu("u2", "Ubuntu 24.04", "2025-07-01", "generic"));
        let q = ImageQuery {
            name: Some("Ubuntu 24.04".into()),
            ..Default::default()
        };
        let err = q.select(&two).unwrap_err().to_string();
        assert_eq!(
            err,
            "2 images match name = \"Ubuntu 24.04\": Ubuntu 24.04 (u2), Ubuntu 24.04 (u1); narrow the query or set most_recent = true"
        );
        let q = ImageQuery {
            most_recent: true,
            ..q
        };
        assert_eq!(q.select(&two).unwrap().id, "u2");
    }

    #[test]
    fn most_recent_uses_build_date_then_created_at_then_name() {
        let mut a = ubuntu("a", "x", "2025-01-01", "generic");
        let mut b = ubuntu("b", "x", "2025-01-01 12:00", "generic");
        let q = ImageQuery {
            name: Some("x".into()),
            most_recent: true,
            ..Default::default()
        };
        assert_eq!(q.select(&[a.clone(), b.clone()]).unwrap().id, "b");
        b.properties
            .insert("image_build_date".into(), "2025-01-01".into());
        a.created_at = Some("2025-01-03T00:00:00Z".into());
        assert_eq!(q.select(&[a.clone(), b.clone()]).unwrap().id, "a");
        // Without a build date the creation time stands in for it.
        let mut c = image("c", "x", &[("os_purpose", "generic")]);
        c.created_at = Some("2025-02-01T00:00:00Z".into());
        assert_eq!(
            q.select(&[a.clone(), b.clone(), c.clone()]).unwrap().id,
            "c"
        );
        // Full ties fall back to id, independent of input order.
        let d1 = image("d1", "x", &[]);
        let d2 = image("d2", "x", &[]);
        assert_eq!(q.select(&[d1.clone(), d2.clone()]).unwrap().id, "d2");
        assert_eq!(q.select(&[d2, d1]).unwrap().id, "d2");
    }

    #[test]
    fn other_filters() {
        let mut images = cloud();
        images[3].tags = vec!["managed_by_scs".into(), "os:debian".into()];
        images[3].visibility = "community".into();
        let q = ImageQuery {
            tags: vec!["managed_by_scs".into()],
            ..Default::default()
        };
        assert_eq!(q.select(&images).unwrap().id, "d1");
        let q = ImageQuery {
            visibility: Some("public".into()),
            architecture: Some("x86_64".into()),
            properties: [("os_version".to_string(), "12".to_string())].into(),
            ..Default::default()
        };
        assert!(q.select(&images).is_err());
        images[0].status = "deactivated".into();
        let q = ImageQuery {
            name: Some("Ubuntu 24.04".into()),
            ..Default::default()
        };
        assert!(q.select(&images).is_err());
    }

    #[test]
    fn server_side_filters() {
        let q = ImageQuery {
            name: Some("Ubuntu 24.04".into()),
            visibility: Some("community".into()),
            tags: vec!["a".into(), "b".into()],
            os_distro: Some("ubuntu".into()),
            ..Default::default()
        };
        assert_eq!(
            q.server_filters(),
            [
                ("name", "Ubuntu 24.04".to_string()),
                ("visibility", "community".to_string()),
                ("tag", "a".to_string()),
                ("tag", "b".to_string())
            ]
        );
        assert!(ImageQuery::default().server_filters().is_empty());
    }

    #[test]
    fn provided_until_warning() {
        let now = Timestamp::parse("2025-06-15 10:00").unwrap();
        let mut img = ubuntu("u1", "Ubuntu 24.04", "2025-06-01", "generic");
        let life = ImageLifecycle::of(&img);
        assert!(!life.is_past_provided_until(now));
        for (value, past) in [
            ("2025-06-14", true),
            ("2025-06-15", false),
            ("2025-06-16", false),
            ("none", false),
            ("notice", false),
            ("garbage", false),
        ] {
            img.properties.insert("provided_until".into(), value.into());
            assert_eq!(
                ImageLifecycle::of(&img).is_past_provided_until(now),
                past,
                "{value}"
            );
        }
        img.properties
            .insert("provided_until".into(), "2025-01-31".into());
        img.properties
            .insert("uuid_validity".into(), "last-3".into());
        let life = ImageLifecycle::of(&img);
        assert_eq!(
            life.expiry_warning(&img, now).unwrap(),
            "image \"Ubuntu 24.04\" (u1) was provided until 2025-01-31: the cloud no longer promises updates for it (its id stays valid per uuid_validity = \"last-3\")"
        );
        assert_eq!(ProvidedUntil::parse("none"), ProvidedUntil::NoPromise);
        assert_eq!(ProvidedUntil::parse("notice"), ProvidedUntil::UntilNotice);
    }
}
