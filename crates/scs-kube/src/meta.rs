//! What the typed objects share: their place in the API and their conditions.

use serde::{Deserialize, Serialize};

/// A condition as both condition styles carry it (Cluster API v1beta1 conditions and
/// `metav1.Condition`): the fields this crate reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

impl Condition {
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// The condition of `type_` in `conditions`.
pub fn condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Conditions as one line for a message: `Ready=False (Reason: message); …`, the ones not true
/// first.
pub fn describe_conditions(conditions: &[Condition]) -> String {
    let mut sorted: Vec<&Condition> = conditions.iter().collect();
    sorted.sort_by_key(|c| c.is_true());
    let parts: Vec<String> = sorted
        .iter()
        .map(|c| {
            let mut text = format!("{}={}", c.type_, c.status);
            match (c.reason.as_deref(), c.message.as_deref()) {
                (Some(r), Some(m)) if !r.is_empty() && !m.is_empty() => {
                    text.push_str(&format!(" ({r}: {m})"));
                }
                (Some(r), _) if !r.is_empty() => text.push_str(&format!(" ({r})")),
                (_, Some(m)) if !m.is_empty() => text.push_str(&format!(" ({m})")),
                _ => {}
            }
            text
        })
        .collect();
    if parts.is_empty() {
        "no conditions reported yet".to_owned()
    } else {
        parts.join("; ")
    }
}

/// A kind this crate reads and writes: where it lives in the API and how messages name it.
pub trait KubeResource:
    kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
    + Clone
    + std::fmt::Debug
    + serde::de::DeserializeOwned
    + Serialize
    + Send
    + Sync
    + 'static
{
    /// The kind as messages name it, with its version: "ClusterStack", "Cluster (v1beta2)".
    const DESCRIPTION: &'static str;
}

/// Implements [`kube::Resource`] and [`KubeResource`] for a namespaced kind with a `metadata`
/// field.
macro_rules! namespaced_kind {
    ($ty:ty, $group:literal, $version:literal, $kind:literal, $plural:literal, $description:literal) => {
        impl kube::Resource for $ty {
            type DynamicType = ();
            type Scope = kube::core::NamespaceResourceScope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(
                &mut self,
            ) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }

        impl $crate::meta::KubeResource for $ty {
            const DESCRIPTION: &'static str = $description;
        }
    };
}
pub(crate) use namespaced_kind;

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(t: &str, s: &str, r: &str, m: &str) -> Condition {
        Condition {
            type_: t.into(),
            status: s.into(),
            reason: Some(r.into()),
            message: Some(m.into()),
            ..Default::default()
        }
    }

    #[test]
    fn conditions_are_described_with_the_false_ones_first() {
        let text = describe_conditions(&[
            cond("Ready", "True", "", ""),
            cond(
                "ClusterStackReleasesSynced",
                "False",
                "Downloading",
                "fetching assets",
            ),
        ]);
        assert_eq!(
            text,
            "ClusterStackReleasesSynced=False (Downloading: fetching assets); Ready=True"
        );
        assert_eq!(describe_conditions(&[]), "no conditions reported yet");
    }
}
