//! The mark every object the provider creates carries where the API has tags or metadata, so the
//! objects a lost or deleted state left behind can be found in the cloud and told from objects
//! made by hand or by other tools:
//! `openstack network list --tags managed-by=terraform-provider-scs`.
//!
//! The mark is the provider's, not the configuration's: it never shows in the `tags` or
//! `metadata` attributes, so it is neither drift nor something a user has to write.

use tfplugin::value::Attr;

use super::list_from_api;

/// The owner tag (Neutron objects, servers).
pub const OWNER_TAG: &str = "managed-by=terraform-provider-scs";
/// The owner mark as a metadata key and value (volumes).
pub const OWNER_KEY: &str = "managed-by";
pub const OWNER_VALUE: &str = "terraform-provider-scs";

/// The tags an object should carry: the configured ones and the owner tag.
pub fn with_owner_tag(tags: &[String]) -> Vec<String> {
    let mut all: Vec<String> = tags.iter().filter(|t| *t != OWNER_TAG).cloned().collect();
    all.push(OWNER_TAG.to_owned());
    all
}

/// An object's tags as the state shows them: without the owner tag, and null when the cloud has
/// none and the configuration did not ask for an empty set.
pub fn configured_tags(api: &[String], prior: &Attr<Vec<String>>) -> Attr<Vec<String>> {
    let mine = api.iter().filter(|t| *t != OWNER_TAG).cloned().collect();
    list_from_api(mine, prior)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_tag_is_added_once_and_never_shown() {
        let configured = vec!["a".to_owned()];
        let sent = with_owner_tag(&configured);
        assert_eq!(sent, ["a", OWNER_TAG]);
        assert_eq!(with_owner_tag(&sent), sent);
        assert_eq!(configured_tags(&sent, &Attr::Null), Attr::Known(configured));
        assert_eq!(
            configured_tags(&[OWNER_TAG.to_owned()], &Attr::Null),
            Attr::Null
        );
        assert_eq!(
            configured_tags(&[OWNER_TAG.to_owned()], &Attr::Known(Vec::new())),
            Attr::Known(Vec::new())
        );
    }
}
