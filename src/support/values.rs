//! How the cloud's values map onto state, and which planned values an
//! update has to send.

use tfplugin::value::Attr;

/// A string the cloud reports as "" when never set: null in state unless the
/// configuration said "" itself.
pub fn string_from_api(api: String, prior: &Attr<String>) -> Attr<String> {
    if api.is_empty() && !matches!(prior, Attr::Known(p) if p.is_empty()) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

/// A list or set the cloud reports as [] when never set: null in state unless
/// the configuration said [] itself.
pub fn list_from_api<T>(api: Vec<T>, prior: &Attr<Vec<T>>) -> Attr<Vec<T>> {
    if api.is_empty() && !matches!(prior, Attr::Known(p) if p.is_empty()) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

/// The full new tag set when the planned tags differ from the prior ones as
/// sets; `None` when nothing is to be done.
pub fn changed_tags(prior: &Attr<Vec<String>>, planned: &Attr<Vec<String>>) -> Option<Vec<String>> {
    let as_set = |a: &Attr<Vec<String>>| {
        a.known()
            .map(|v| v.iter().cloned().collect::<std::collections::BTreeSet<_>>())
            .unwrap_or_default()
    };
    let (old, new) = (as_set(prior), as_set(planned));
    (old != new).then(|| new.into_iter().collect())
}

/// The planned value when it differs from the prior one: the fields of an
/// update request.
pub fn changed<T: Clone + PartialEq>(prior: &Attr<T>, planned: &Attr<T>) -> Option<T> {
    match planned {
        Attr::Known(v) if prior.known() != Some(v) => Some(v.clone()),
        _ => None,
    }
}

/// Like [`changed`], for attributes where null has its own meaning (clear the
/// value): `Some(None)` when the plan clears it.
pub fn changed_nullable<T: Clone + PartialEq>(
    prior: &Attr<T>,
    planned: &Attr<T>,
) -> Option<Option<T>> {
    match planned {
        Attr::Known(v) if prior.known() != Some(v) => Some(Some(v.clone())),
        Attr::Null if prior.is_known() => Some(None),
        _ => None,
    }
}

/// An `Option` from the cloud as an attribute value.
pub fn attr_of<T>(v: Option<T>) -> Attr<T> {
    v.map_or(Attr::Null, Attr::Known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_api_values_follow_the_configuration() {
        assert_eq!(string_from_api(String::new(), &Attr::Null), Attr::Null);
        assert_eq!(
            string_from_api(String::new(), &Attr::Known(String::new())),
            Attr::Known(String::new())
        );
        assert_eq!(
            string_from_api("x".into(), &Attr::Null),
            Attr::Known("x".to_owned())
        );
        assert_eq!(list_from_api(Vec::<String>::new(), &Attr::Null), Attr::Null);
        assert_eq!(
            list_from_api(Vec::<String>::new(), &Attr::Known(vec![])),
            Attr::Known(vec![])
        );
    }

    #[test]
    fn tag_changes_compare_as_sets() {
        let k = |v: &[&str]| Attr::Known(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(changed_tags(&k(&["a", "b"]), &k(&["b", "a"])), None);
        assert_eq!(changed_tags(&Attr::Null, &k(&[])), None);
        assert_eq!(
            changed_tags(&k(&["a"]), &Attr::Null),
            Some(Vec::<String>::new())
        );
        assert_eq!(
            changed_tags(&k(&["a"]), &k(&["c", "a"])),
            Some(vec!["a".to_owned(), "c".to_owned()])
        );
    }

    #[test]
    fn changed_fields() {
        assert_eq!(changed(&Attr::Known(1), &Attr::Known(1)), None);
        assert_eq!(changed(&Attr::Known(1), &Attr::Known(2)), Some(2));
        assert_eq!(changed::<i64>(&Attr::Known(1), &Attr::Null), None);
        assert_eq!(
            changed_nullable::<i64>(&Attr::Known(1), &Attr::Null),
            Some(None)
        );
        assert_eq!(changed_nullable::<i64>(&Attr::Null, &Attr::Null), None);
    }
}
