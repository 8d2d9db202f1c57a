//! Client-side cost of talking to OpenStack, measured against the in-process
//! fake cloud of the unit tests (scs_client::test_util via tests/core_support, plain HTTP on
//! 127.0.0.1): per-request overhead (auth header, concurrency limiter,
//! retry wrapper, error mapping), pagination and decoding of large Neutron
//! listings (flavor selection, which needs no cloud, is measured in
//! scs-standards). The fake server's own work is included in the request timings;
//! it is small next to a real cloud's latency, so these numbers are an upper
//! bound on what the client adds, not a prediction of API latency.
//!
//! Run: `cargo bench -p scs-client --bench client_paths`.

#[path = "../tests/core_support/mod.rs"]
mod core_support;

use std::sync::LazyLock;

use core_support::{Action, FakeCloud};
use divan::counter::{BytesCount, ItemsCount};
use divan::{AllocProfiler, Bencher, black_box};
use scs_client::network::Port;
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    // MiB/s, as acceptance/bench/README.md reports.
    divan::Divan::default()
        .bytes_format(divan::counter::BytesFormat::Binary)
        .config_with_args()
        .main();
}

const NETWORKS: &str = "/network/v2.0/networks";
const PORTS: &str = "/network/v2.0/ports";

/// One fake cloud and one authenticated client for the whole run, on a
/// runtime shaped like the provider's (multi-threaded, two workers).
struct Cloud {
    rt: tokio::runtime::Runtime,
    mock: FakeCloud,
    client: scs_client::Client,
}

static CLOUD: LazyLock<Cloud> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mock = rt.block_on(FakeCloud::start());
    // No retries: a failing request must show up as a failure, not as a slow sample.
    let client = core_support::client(&mock, 0);
    rt.block_on(client.authenticate())
        .expect("authenticates against the fake cloud");
    Cloud { rt, mock, client }
});

fn network(i: usize) -> Value {
    json!({"id": format!("net-{i:06}"), "name": format!("bench-{i}"), "status": "ACTIVE",
           "admin_state_up": true, "shared": false, "mtu": 1450, "subnets": [],
           "project_id": "proj-1", "tags": [], "revision_number": 1})
}

/// `items` networks served in pages of `per_page`, linked like Neutron does:
/// a full page always links to a next one, so a listing that fills its last
/// page ends with an empty page (one more GET).
fn neutron_pages(items: usize, per_page: usize) -> Vec<Action> {
    let pages = items / per_page + 1;
    (0..pages)
        .map(|p| {
            let first = (p * per_page).min(items);
            let last = (first + per_page).min(items);
            let mut body = json!({"networks": (first..last).map(network).collect::<Vec<_>>()});
            if last - first == per_page {
                body["networks_links"] = json!([{"rel": "next",
                    "href": format!("http://127.0.0.1/v2.0/networks?limit={per_page}&marker=net-{:06}", last - 1)}]);
            }
            Action::ok(body)
        })
        .collect()
}

mod request {
    use super::*;

    /// One GET round trip: the floor under every read of every resource.
    #[divan::bench(max_time = 3)]
    fn get_one(bencher: Bencher) {
        let c = &*CLOUD;
        c.mock.on(
            "GET",
            "/network/v2.0/networks/net-1",
            vec![Action::ok(json!({"network": network(1)}))],
        );
        let net = c.client.network();
        let first: Value =
            c.rt.block_on(net.get_json("/networks/net-1"))
                .expect("GET works");
        assert_eq!(first["network"]["id"], "net-000001");
        bencher.bench(|| {
            c.rt.block_on(net.get_json::<Value>(black_box("/networks/net-1")))
        });
    }

    /// 1,000 GETs issued at once, as a plan of many resources refreshes
    /// them; the client's concurrency limit (10 here) queues the rest.
    #[divan::bench(sample_count = 10, max_time = 5)]
    fn get_1000_concurrent(bencher: Bencher) {
        let c = &*CLOUD;
        c.mock.on(
            "GET",
            "/network/v2.0/networks/net-2",
            vec![Action::ok(json!({"network": network(2)}))],
        );
        bencher.counter(ItemsCount::new(1_000usize)).bench(|| {
            c.rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..1_000 {
                    let net = c.client.network();
                    set.spawn(async move { net.get_json::<Value>("/networks/net-2").await });
                }
                let mut failed = 0usize;
                while let Some(r) = set.join_next().await {
                    failed += usize::from(!matches!(r, Ok(Ok(_))));
                }
                assert_eq!(failed, 0, "every GET succeeds");
            })
        });
    }
}

mod paginate {
    use super::*;

    /// 1,000 networks, one per page: 1,001 GETs following Neutron's next links.
    #[divan::bench(sample_count = 10, sample_size = 1, max_time = 10)]
    fn pages_of_1(bencher: Bencher) {
        run(bencher, 1_000, 1);
    }

    /// 1,000 networks in pages of 100 (11 GETs), the usual shape of a big listing.
    #[divan::bench(sample_count = 20, sample_size = 1, max_time = 3)]
    fn pages_of_100(bencher: Bencher) {
        run(bencher, 1_000, 100);
    }

    fn run(bencher: Bencher, items: usize, per_page: usize) {
        let c = &*CLOUD;
        let net = c.client.network();
        // The fake cloud consumes its script, so each sample gets a fresh
        // one (sample_size = 1: one script, one listing).
        bencher
            .counter(ItemsCount::new(items))
            .with_inputs(|| c.mock.on("GET", NETWORKS, neutron_pages(items, per_page)))
            .bench_values(|()| {
                let all: Vec<Value> =
                    c.rt.block_on(
                        net.get("/networks")
                            .query([("limit", per_page)])
                            .paginate("networks"),
                    )
                    .expect("pagination works");
                assert_eq!(all.len(), items);
                all
            });
    }
}

/// A Neutron port as a real cloud returns it (ML2/OVN, ~1 KiB of JSON),
/// including the fields the model ignores.
fn port_json(i: usize) -> Value {
    json!({
        "id": format!("3f1c2a4e-0000-4000-8000-{i:012}"),
        "name": format!("bench-port-{i}"), "description": "",
        "network_id": "7d3e0b1a-1111-4111-8111-000000000001",
        "tenant_id": "6f1a3b5c9d7e4f2a8b0c1d2e3f4a5b6c", "project_id": "6f1a3b5c9d7e4f2a8b0c1d2e3f4a5b6c",
        "mac_address": format!("fa:16:3e:{:02x}:{:02x}:{:02x}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff),
        "admin_state_up": true, "status": "ACTIVE",
        "device_id": format!("a0b1c2d3-0000-4000-8000-{i:012}"), "device_owner": "compute:nova",
        "fixed_ips": [{"subnet_id": "5e4d3c2b-2222-4222-8222-000000000002",
                       "ip_address": format!("10.{}.{}.{}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)}],
        "allowed_address_pairs": [], "extra_dhcp_opts": [],
        "security_groups": ["9a8b7c6d-3333-4333-8333-000000000003"],
        "binding:vnic_type": "normal", "binding:host_id": "compute-01", "binding:profile": {},
        "binding:vif_type": "ovs", "binding:vif_details": {"port_filter": true, "connectivity": "l2", "bound_drivers": {"0": "ovn"}},
        "port_security_enabled": true, "qos_policy_id": null, "qos_network_policy_id": null,
        "dns_name": "", "dns_assignment": [{"ip_address": "10.0.0.5", "hostname": "host-10-0-0-5", "fqdn": "host-10-0-0-5.openstacklocal."}],
        "ip_allocation": "immediate", "propagate_uplink_status": false, "resource_request": null,
        "tags": ["bench"], "created_at": "2026-11-27T23:00:00Z", "updated_at": "2026-11-27T23:00:05Z",
        "revision_number": 4
    })
}

static PORTS_BODY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    serde_json::to_vec(&json!({"ports": (0..1_000).map(port_json).collect::<Vec<_>>()}))
        .expect("JSON serializes")
});

mod ports {
    use super::*;

    #[derive(serde::Deserialize)]
    struct PortList {
        ports: Vec<Port>,
    }

    /// JSON decode of a 1,000-port listing into the typed model (no I/O).
    #[divan::bench(sample_count = 30, max_time = 3)]
    fn decode_1000(bencher: Bencher) {
        let body = &*PORTS_BODY;
        let decoded: PortList = serde_json::from_slice(body).expect("ports decode");
        assert_eq!(decoded.ports.len(), 1_000);
        bencher
            .counter(BytesCount::new(body.len()))
            .bench(|| serde_json::from_slice::<PortList>(black_box(body)));
    }

    /// `network::list_ports` end to end: one 1,000-port page over HTTP and decode.
    #[divan::bench(sample_count = 20, max_time = 3)]
    fn list_1000(bencher: Bencher) {
        let c = &*CLOUD;
        let body: Value = serde_json::from_slice(&PORTS_BODY).expect("JSON parses");
        c.mock.on("GET", PORTS, vec![Action::ok(body)]);
        let ports =
            c.rt.block_on(scs_client::network::list_ports(&c.client, &[]))
                .expect("list_ports works");
        assert_eq!(ports.len(), 1_000);
        bencher
            .counter(BytesCount::new(PORTS_BODY.len()))
            .bench(|| {
                c.rt.block_on(scs_client::network::list_ports(&c.client, &[]))
            });
    }
}
