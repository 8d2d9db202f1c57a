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

/// The cloud's items of a list of blocks, each with the prior block it
/// answers, in the order the prior blocks stand. Neutron does not keep the
/// order of such lists (addresses, pools, routes), and a reordering is not a
/// change. Each prior block takes the first item left that `answers` it; the
/// items no block took follow in the order given, and show as drift.
pub fn in_prior_order<'p, A, P: 'p>(
    api: Vec<A>,
    prior: impl IntoIterator<Item = &'p P>,
    answers: impl Fn(&P, &A) -> bool,
) -> Vec<(A, Option<&'p P>)> {
    let mut left = api;
    let mut out = Vec::with_capacity(left.len());
    for block in prior {
        if let Some(i) = left.iter().position(|item| answers(block, item)) {
            out.push((left.remove(i), Some(block)));
        }
    }
    out.extend(left.into_iter().map(|item| (item, None)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_follow_the_prior_order_and_the_rest_come_last() {
        let prior = [3, 1];
        let got = in_prior_order(vec![1, 2, 3, 3], &prior, |p, a| p == a);
        let got: Vec<_> = got.into_iter().map(|(a, p)| (a, p.copied())).collect();
        assert_eq!(got, [(3, Some(3)), (1, Some(1)), (2, None), (3, None)]);
        // A prior block nothing answers is left out: the cloud no longer has it.
        let got = in_prior_order(vec![2], &prior, |p, a| p == a);
        assert_eq!(got, [(2, None)]);
    }

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
