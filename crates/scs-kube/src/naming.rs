//! The Cluster Stack Operator's naming rules and its rules for moving a Cluster between classes.

/// One version of a cluster stack: what a ClusterClass name encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackVersion {
    pub provider: String,
    pub name: String,
    /// The Kubernetes minor version, `1.33`.
    pub kubernetes_version: String,
    /// The stack version, `v1`, `v1-alpha.1` or `v0-sha.abc`.
    pub version: String,
}

impl StackVersion {
    /// The ClusterClass name the operator makes for this version:
    /// `<provider>-<name>-<major>-<minor>-<version>`.
    pub fn cluster_class(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.provider,
            self.name,
            self.kubernetes_version.replace('.', "-"),
            self.version
        )
    }

    /// The ClusterStackRelease name: the class name with the version's dot as a dash.
    pub fn release_name(&self) -> String {
        release_name_of_class(&self.cluster_class())
    }

    /// The version a ClusterClass name encodes; `None` when the name is not one the operator
    /// makes.
    pub fn parse_class(class: &str) -> Option<StackVersion> {
        let parts: Vec<&str> = class.splitn(5, '-').collect();
        let [provider, name, major, minor, version] = parts.as_slice() else {
            return None;
        };
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if provider.is_empty() || name.is_empty() || !numeric(major) || !numeric(minor) {
            return None;
        }
        check_version(version).ok()?;
        Some(StackVersion {
            provider: (*provider).to_owned(),
            name: (*name).to_owned(),
            kubernetes_version: format!("{major}.{minor}"),
            version: (*version).to_owned(),
        })
    }

    /// The Kubernetes minor as a number pair.
    pub fn minor(&self) -> Option<(u32, u32)> {
        parse_minor(&self.kubernetes_version)
    }
}

/// The ClusterStackRelease name of ClusterClass `class`.
pub fn release_name_of_class(class: &str) -> String {
    class.replace('.', "-")
}

/// The ClusterStack object name this provider gives a stack: `<provider>-<name>-<major>-<minor>`.
pub fn cluster_stack_object_name(provider: &str, name: &str, kubernetes_version: &str) -> String {
    format!("{provider}-{name}-{}", kubernetes_version.replace('.', "-"))
}

/// `1.33` as `(1, 33)`.
pub fn parse_minor(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    if major.len() != 1 {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// A Kubernetes minor version as the ClusterStack takes it (`^\d\.\d+$`).
pub fn check_kubernetes_minor(text: &str) -> Result<(), String> {
    let ok = text.split_once('.').is_some_and(|(major, minor)| {
        major.len() == 1
            && major.bytes().all(|b| b.is_ascii_digit())
            && !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a Kubernetes minor version such as \"1.33\" is expected, got {text:?}"
        ))
    }
}

/// A stack provider or name: non-empty, lower-case letters and digits; no `-`, which the
/// operator uses to split class names.
pub fn check_stack_word(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text.contains('-') {
        return Err(format!(
            "{text:?} contains \"-\", which the Cluster Stack Operator uses to split class names"
        ));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(format!(
            "{text:?} may only hold lower-case letters and digits"
        ));
    }
    Ok(())
}

/// A stack version: `v<N>` (stable channel), `v<N>-<word>.<N>` (pre-releases), or
/// `v0-sha.<hash>` (custom channel).
pub fn check_version(text: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "a cluster stack version such as \"v1\", \"v2-alpha.1\" or \"v0-sha.abc123\" is expected, got {text:?}"
        )
    };
    let Some(rest) = text.strip_prefix('v') else {
        return Err(bad());
    };
    let (number, suffix) = match rest.split_once('-') {
        Some((n, s)) => (n, Some(s)),
        None => (rest, None),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if let Some(suffix) = suffix {
        let Some((word, tail)) = suffix.split_once('.') else {
            return Err(bad());
        };
        let alnum = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !alnum(word) || !alnum(tail) {
            return Err(bad());
        }
    }
    Ok(())
}

/// Which channel a version belongs to: `custom` for `v0-sha.…`, `stable` otherwise.
pub fn channel_of(version: &str) -> &'static str {
    if version.starts_with("v0-sha.") {
        "custom"
    } else {
        "stable"
    }
}

/// Why the operator refuses to move a Cluster from class `from` to class `to`, if it does: the
/// provider and the stack name stay, and the Kubernetes minor stays or goes up by one.
pub fn check_class_change(from: &str, to: &str) -> Result<(), String> {
    if from == to {
        return Ok(());
    }
    let (Some(old), Some(new)) = (
        StackVersion::parse_class(from),
        StackVersion::parse_class(to),
    ) else {
        return Ok(());
    };
    if old.provider != new.provider {
        return Err(format!(
            "the cluster stack provider cannot change ({} to {}); create a new cluster instead",
            old.provider, new.provider
        ));
    }
    if old.name != new.name {
        return Err(format!(
            "the cluster stack name cannot change ({} to {}); create a new cluster instead",
            old.name, new.name
        ));
    }
    if let (Some((om, on)), Some((nm, nn))) = (old.minor(), new.minor()) {
        let ok = om == nm && (nn == on || nn == on + 1);
        if !ok {
            return Err(format!(
                "the Kubernetes minor version may stay or go up by one, not move from {} to {}",
                old.kubernetes_version, new.kubernetes_version
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(provider: &str, name: &str, k8s: &str, version: &str) -> StackVersion {
        StackVersion {
            provider: provider.into(),
            name: name.into(),
            kubernetes_version: k8s.into(),
            version: version.into(),
        }
    }

    #[test]
    fn class_and_release_names_follow_the_operator() {
        let v = stack("openstack", "scs", "1.32", "v0-sha.lvlvyfw");
        assert_eq!(v.cluster_class(), "openstack-scs-1-32-v0-sha.lvlvyfw");
        assert_eq!(v.release_name(), "openstack-scs-1-32-v0-sha-lvlvyfw");
        assert_eq!(
            stack("docker", "inmem", "1.36", "v1").cluster_class(),
            "docker-inmem-1-36-v1"
        );
        assert_eq!(StackVersion::parse_class(&v.cluster_class()), Some(v));
        assert_eq!(
            StackVersion::parse_class("openstack-scs2-1-33-v1"),
            Some(stack("openstack", "scs2", "1.33", "v1"))
        );
        assert_eq!(StackVersion::parse_class("my-own-class"), None);
        assert_eq!(
            cluster_stack_object_name("docker", "inmem", "1.36"),
            "docker-inmem-1-36"
        );
    }

    #[test]
    fn versions_and_words_are_checked() {
        for ok in ["v1", "v12", "v2-alpha.1", "v0-sha.lvlvyfw"] {
            assert!(check_version(ok).is_ok(), "{ok}");
        }
        for bad in ["1", "v", "va", "v1-alpha", "v1-.1", "V1"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
        assert!(check_stack_word("scs2").is_ok());
        assert!(check_stack_word("my-stack").is_err());
        assert!(check_stack_word("").is_err());
        assert!(check_kubernetes_minor("1.33").is_ok());
        for bad in ["1.33.1", "v1.33", "133", "10.1", "1."] {
            assert!(check_kubernetes_minor(bad).is_err(), "{bad}");
        }
        assert_eq!(channel_of("v0-sha.abc"), "custom");
        assert_eq!(channel_of("v2"), "stable");
    }

    #[test]
    fn class_changes_follow_the_operators_upgrade_rules() {
        let ok = [
            ("docker-inmem-1-36-v1", "docker-inmem-1-36-v2"),
            ("docker-inmem-1-36-v1", "docker-inmem-1-37-v1"),
            ("docker-inmem-1-36-v1", "docker-inmem-1-36-v1"),
        ];
        for (from, to) in ok {
            assert!(check_class_change(from, to).is_ok(), "{from} -> {to}");
        }
        let refused = [
            ("docker-inmem-1-36-v1", "docker-other-1-36-v1", "name"),
            (
                "docker-inmem-1-36-v1",
                "openstack-inmem-1-36-v1",
                "provider",
            ),
            ("docker-inmem-1-36-v1", "docker-inmem-1-38-v1", "minor"),
            ("docker-inmem-1-36-v1", "docker-inmem-1-35-v1", "minor"),
        ];
        for (from, to, what) in refused {
            let err = check_class_change(from, to).err().unwrap_or_default();
            assert!(err.contains(what), "{from} -> {to}: {err}");
        }
    }
}
