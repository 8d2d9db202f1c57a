//! `compute::find_flavor` against the in-process fake cloud: SCS name variants in both
//! directions, ambiguity, not found, look-up by id, and what each look-up costs in requests.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use core_support::{Action, FakeCloud};
use scs_client::compute::{self, FlavorLookupError, FlavorRef};
use serde_json::{Value, json};

const LIST: &str = "/compute/v2.1/flavors/detail";

fn flavor(id: &str, name: &str, extra_specs: Value) -> Value {
    json!({"id": id, "name": name, "vcpus": 2, "ram": 4096, "disk": 0, "swap": 0,
           "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false,
           "os-flavor-access:is_public": true, "extra_specs": extra_specs})
}

/// A cloud with one v2-named and one v1-named SCS flavor, a provider-specific flavor that
/// carries an SCS name variant, and an unrelated one.
async fn cloud() -> FakeCloud {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        LIST,
        vec![Action::ok(json!({"flavors": [
            flavor("v2", "SCS-2V-4", json!({"scs:cpu-type": "shared-core"})),
            flavor("v1", "SCS-4V:16", json!({})),
            flavor("alias", "m1.large", json!({"scs:name-v2": "SCS-8V-32"})),
            flavor("other", "m1.tiny", json!({})),
        ]}))],
    );
    mock
}

async fn by_name(mock: &FakeCloud, name: &str) -> Result<compute::Flavor, FlavorLookupError> {
    let c = core_support::client(mock, 0);
    compute::find_flavor(&c, FlavorRef::Name(name))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_v1_name_finds_the_v2_named_flavor_and_the_other_way_round() {
    let mock = cloud().await;
    let found = by_name(&mock, "SCS-2V:4").await.unwrap();
    assert_eq!((found.id.as_str(), found.name.as_str()), ("v2", "SCS-2V-4"));
    assert_eq!(found.extra_specs["scs:cpu-type"], "shared-core");
    assert_eq!(by_name(&mock, "SCS-4V-16").await.unwrap().id, "v1");
    // A name variant in the extra specs is a name too, in either syntax.
    assert_eq!(by_name(&mock, "SCS-8V:32").await.unwrap().id, "alias");
    // Exact names keep working.
    assert_eq!(by_name(&mock, "m1.tiny").await.unwrap().id, "other");
}

#[tokio::test]
async fn an_ambiguous_name_is_an_error_naming_every_candidate() {
    let mock = FakeCloud::start().await;
    mock.on(
        "GET",
        LIST,
        vec![Action::ok(json!({"flavors": [
            flavor("a", "SCS-2V-4_kvm", json!({"scs:name-v1": "SCS-2V:4"})),
            flavor("b", "custom", json!({"scs:name-v2": "SCS-2V-4"})),
            flavor("c", "m1.tiny", json!({})),
        ]}))],
    );
    let err = by_name(&mock, "SCS-2V-4").await.unwrap_err();
    assert_eq!(
        err,
        FlavorLookupError::Ambiguous {
            name: "SCS-2V-4".into(),
            candidates: vec![
                ("SCS-2V-4_kvm".into(), "a".into()),
                ("custom".into(), "b".into())
            ],
        }
    );
    let message = err.to_string();
    for needle in ["SCS-2V-4_kvm (a)", "custom (b)", "\"SCS-2V-4\""] {
        assert!(message.contains(needle), "{needle} missing in: {message}");
    }
    // The flavor's own name is never ambiguous.
    assert_eq!(by_name(&mock, "custom").await.unwrap().id, "b");
}

#[tokio::test]
async fn an_unknown_name_or_id_is_not_found() {
    let mock = cloud().await;
    let err = by_name(&mock, "SCS-3V-7-no-such").await.unwrap_err();
    assert_eq!(
        err,
        FlavorLookupError::NoSuchName {
            name: "SCS-3V-7-no-such".into(),
            checked: 4,
        }
    );
    assert_eq!(err.summary(), "Flavor not found");
    assert!(err.to_string().contains("SCS-3V-7-no-such"), "{err}");
    // Same figures in another SCS syntax is not the same name.
    assert!(by_name(&mock, "SCS-2V-8").await.is_err());

    mock.on(
        "GET",
        "/compute/v2.1/flavors/gone",
        vec![Action::Json(
            404,
            json!({"itemNotFound": {"code": 404, "message": "Flavor gone could not be found."}}),
        )],
    );
    let c = core_support::client(&mock, 0);
    let err = compute::find_flavor(&c, FlavorRef::Id("gone"))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err, FlavorLookupError::NoSuchId("gone".into()));
    assert_eq!(
        mock.hits("GET", LIST).len(),
        2,
        "one listing per name, none for the id"
    );
}

#[tokio::test]
async fn an_id_is_read_directly_without_a_listing() {
    let mock = cloud().await;
    mock.on(
        "GET",
        "/compute/v2.1/flavors/v2",
        vec![Action::ok(
            json!({"flavor": flavor("v2", "SCS-2V-4", json!({"scs:cpu-type": "shared-core"}))}),
        )],
    );
    let c = core_support::client(&mock, 0);
    let found = compute::find_flavor(&c, FlavorRef::Id("v2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "SCS-2V-4");
    assert_eq!(found.extra_specs["scs:cpu-type"], "shared-core");
    assert_eq!(mock.hits("GET", "/compute/v2.1/flavors/v2").len(), 1);
    assert!(mock.hits("GET", LIST).is_empty());
}

#[tokio::test]
async fn a_name_costs_one_listing_and_no_extra_specs_per_flavor() {
    let mock = cloud().await;
    by_name(&mock, "SCS-2V:4").await.unwrap();
    let lists = mock.hits("GET", LIST);
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].headers["openstack-api-version"], "compute 2.61");
    let spec_reads = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("os-extra_specs"))
        .count();
    assert_eq!(spec_reads, 0);

    // Before 2.61 the listing has no specs: only the chosen flavor's are read.
    let old = FakeCloud::start().await;
    old.set_nova_max("2.60");
    old.on(
        "GET",
        LIST,
        vec![Action::ok(json!({"flavors": [
            flavor("v2", "SCS-2V-4", json!(null)),
            flavor("v1", "SCS-4V:16", json!(null)),
            flavor("other", "m1.tiny", json!(null)),
        ]}))],
    );
    old.on(
        "GET",
        "/compute/v2.1/flavors/v2/os-extra_specs",
        vec![Action::ok(
            json!({"extra_specs": {"scs:cpu-type": "shared-core"}}),
        )],
    );
    let found = by_name(&old, "SCS-2V:4").await.unwrap();
    assert_eq!(found.extra_specs["scs:cpu-type"], "shared-core");
    assert_eq!(old.hits("GET", LIST).len(), 1);
    let spec_reads: Vec<String> = old
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("os-extra_specs"))
        .map(|r| r.path)
        .collect();
    assert_eq!(spec_reads, ["/compute/v2.1/flavors/v2/os-extra_specs"]);
}

/// The provider runs look-ups on a multi-threaded runtime behind `async_trait`: this does not
/// compile unless the future is `Send`.
#[allow(dead_code)]
fn the_lookup_future_is_send(c: &scs_client::Client) {
    fn send<T: Send>(_: T) {}
    send(compute::find_flavor(c, FlavorRef::Name("n")));
}
