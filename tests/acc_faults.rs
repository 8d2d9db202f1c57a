//! Fault injection: the provider on real terraform and tofu while the harness's fault proxy
//! disturbs its conversation with the local cloud (503, 429, 500, connections reset before and
//! after the cloud acted, latency), every create's answer is lost once, the client is
//! interrupted mid-apply, and creates run out of time before they start.
//!
//! After every apply, failed or not, the cloud must hold exactly what the state holds (no
//! orphan, nothing missing, no duplicate; listed through the API by the scenario's name prefix),
//! a successful apply must hold each configured object once and be followed by an empty plan, and
//! a destroy must leave nothing.
//!
//! The cycle runs count how many applies succeed at once and how many need a second apply (both
//! are fine; a third is a failure). Each run appends its numbers to the file named by
//! `FAULT_REPORT`, if set (`make fault-test` prints them). `FAULT_SEED` replays a run's faults,
//! `FAULT_RATE` (a share, default 0.10) and `FAULT_CYCLES` (default 20, the long run only) change
//! how hard and how long the cycle runs push.

#![allow(clippy::unwrap_used)]

mod harness;

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use harness::fault_proxy::{Injection, derive_seed, seed_from_env};
use harness::inventory::{self, Reconciliation};
use harness::{CmdOutput, Counts, Fault, FaultPlan, FaultProxy, Scenario};

/// The configuration of the cycle, lost-answer and interrupt runs.
const STACK: &str = "faults/stack";

/// What `STACK` makes, per resource type.
const STACK_OBJECTS: [(&str, usize); 11] = [
    ("scs_floating_ip", 1),
    ("scs_network", 1),
    ("scs_port", 1),
    ("scs_router", 1),
    ("scs_router_interface", 1),
    ("scs_security_group", 1),
    ("scs_security_group_rule", 10),
    ("scs_server", 1),
    ("scs_subnet", 1),
    ("scs_volume", 1),
    ("scs_volume_attachment", 1),
];

/// The share of requests the cycle runs disturb, unless `FAULT_RATE` says otherwise.
const FAULT_RATE: f64 = 0.10;

fn fault_rate() -> f64 {
    match std::env::var("FAULT_RATE") {
        Ok(r) => match r.trim().parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => r,
            _ => panic!("FAULT_RATE={r:?} is not a share between 0 and 1"),
        },
        Err(_) => FAULT_RATE,
    }
}

/// Why the scenarios need the local cloud.
const NEEDS: &str = "plain-http endpoints the fault proxy can stand in front of, and the \
                     SCS-1V-4-10 flavor booting Ubuntu 24.04 on the fake compute driver";

/// Appends `text` to the `FAULT_REPORT` file (if set) and prints it.
fn report(text: &str) {
    eprintln!("{text}");
    if let Ok(path) = std::env::var("FAULT_REPORT") {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{text}"));
        if let Err(e) = written {
            panic!("cannot append to FAULT_REPORT={path}: {e}");
        }
    }
}

/// The diagnostics of a failed command, one line each: the client's `Error:` summary and the
/// provider's detail paragraph after the context lines (`with <address>,`, `on <file> line <n>`,
/// the numbered source lines).
fn errors_of(out: &CmdOutput) -> String {
    let all = out.all();
    let lines: Vec<&str> = all
        .lines()
        .map(|l| l.trim_start_matches(['│', '╵', '╷', ' ']).trim_end())
        .collect();
    let context = |l: &str| {
        l.starts_with("with ")
            || l.starts_with("on ")
            || l.split_once(':')
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let mut found = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(summary) = l.strip_prefix("Error:") else {
            continue;
        };
        let detail: Vec<&str> = lines[i + 1..]
            .iter()
            .copied()
            .skip_while(|l| l.is_empty() || context(l))
            .take_while(|l| !l.is_empty() && !l.starts_with("Error:"))
            .collect();
        found.push(format!("{} / {}", summary.trim(), detail.join(" ")));
    }
    if found.is_empty() {
        format!("exit {:?} without an Error: line", out.code)
    } else {
        found.join(" | ")
    }
}

/// The cloud and the state agree; records a problem otherwise. After a failed command, objects
/// the state holds but the cloud no longer does are only noted: a delete the cloud carried out
/// but the provider could not confirm keeps its object in state, and the next refresh drops it.
/// Orphans and duplicates are problems after any command.
fn check_reconciled(
    s: &Scenario,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
    after: &str,
    succeeded: bool,
) -> Reconciliation {
    let cloud = s.cloud();
    let r = inventory::reconcile(&cloud, &s.name_prefix(), &s.state_json());
    if r.is_clean() {
        return r;
    }
    if succeeded || !r.orphans.is_empty() || !r.duplicates.is_empty() {
        problems.push(format!("after {after}: {r}"));
    } else {
        notes.push(format!("after {after}: {r}"));
    }
    r
}

/// The cloud holds each object of `expected` exactly as often as configured.
fn check_objects(r: &Reconciliation, expected: &[(&str, usize)], problems: &mut Vec<String>) {
    let held: Vec<(&str, usize)> = r.held.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    if held != expected {
        problems.push(format!(
            "the cloud holds {held:?} where the configuration has {expected:?}"
        ));
    }
}

/// Whether a plan is empty, trying a failed plan once more (and recording the failure).
fn plan_empty(s: &Scenario, problems: &mut Vec<String>) -> bool {
    for attempt in 1..=2 {
        let out = s.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        match out.code {
            Some(0) => return true,
            Some(2) => {
                problems.push(format!(
                    "plan after a successful apply is not empty:\n{out}"
                ));
                return false;
            }
            _ => problems.push(format!("plan {attempt} failed: {}", errors_of(&out))),
        }
    }
    false
}

/// Destroys (a second time if the first fails), then checks that nothing is left.
fn destroy_all(s: &mut Scenario, problems: &mut Vec<String>, errors: &mut Vec<String>) -> u32 {
    let mut tries = 0;
    for attempt in 1..=2 {
        tries = attempt;
        let out = s.try_destroy();
        if out.success() {
            break;
        }
        errors.push(format!("destroy {attempt}: {}", errors_of(&out)));
        check_reconciled(
            s,
            problems,
            errors,
            &format!("failed destroy {attempt}"),
            false,
        );
        if attempt == 2 {
            problems.push(format!("destroy failed twice: {}", errors_of(&out)));
        }
    }
    let left = inventory::cloud_objects(&s.cloud(), &s.name_prefix());
    if !left.is_empty() {
        let left: Vec<String> = left.iter().map(ToString::to_string).collect();
        problems.push(format!("left after destroy: {}", left.join(", ")));
    }
    tries
}

/// One apply/destroy cycle's outcome.
#[derive(Default)]
struct Cycle {
    /// Applies run: 1 when the first succeeded, 2 when the second did or neither.
    applies: u32,
    converged: bool,
    plan_empty: bool,
    destroys: u32,
    counts: Counts,
    /// How long each step took.
    times: Vec<String>,
    errors: Vec<String>,
    problems: Vec<String>,
}

/// Applies the stack (twice if the first apply fails), checks it, plans, destroys and checks
/// that nothing is left.
fn cycle(s: &mut Scenario, proxy: &FaultProxy) -> Cycle {
    let before = proxy.counts();
    let mut c = Cycle::default();
    let mut mark = Instant::now();
    let mut lap = |what: &str, times: &mut Vec<String>| {
        times.push(format!("{what} {}s", mark.elapsed().as_secs()));
        mark = Instant::now();
    };
    for attempt in 1..=2 {
        c.applies = attempt;
        let out = s.try_apply();
        lap("apply", &mut c.times);
        let r = check_reconciled(
            s,
            &mut c.problems,
            &mut c.errors,
            &format!("apply {attempt}"),
            out.success(),
        );
        lap("check", &mut c.times);
        if out.success() {
            c.converged = true;
            check_objects(&r, &STACK_OBJECTS, &mut c.problems);
            break;
        }
        c.errors
            .push(format!("apply {attempt}: {}", errors_of(&out)));
    }
    if c.converged {
        c.plan_empty = plan_empty(s, &mut c.problems);
        lap("plan", &mut c.times);
    } else {
        c.problems
            .push("the stack did not converge within two applies".into());
    }
    c.destroys = destroy_all(s, &mut c.problems, &mut c.errors);
    lap("destroy and check", &mut c.times);
    c.counts = proxy.counts().since(&before);
    c
}

/// Faults the cycle injected that ended in an error: which request got which fault.
fn injections_between(all: &[Injection], from: usize) -> String {
    all[from.min(all.len())..]
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `cycles` apply/destroy cycles of the stack on each client with [`fault_rate`] of the
/// requests disturbed.
fn fault_cycles(name: &str, cycles: u32) {
    let seed = seed_from_env();
    let rate = fault_rate();
    report(&format!(
        "fault cycles {name}: seed {seed} (FAULT_SEED={seed} replays it), {cycles} cycles per \
         client, {:.0}% of requests disturbed",
        rate * 100.0
    ));
    // Each run draws its own faults from the seed, so a short and a long run do not repeat each
    // other's first cycles; both clients of a run get the same faults.
    let run_seed = derive_seed(seed, name);
    harness::on_both_clients_concurrently_locally(name, NEEDS, |s| {
        let proxy = FaultProxy::start(&s.cloud(), FaultPlan::random(run_seed, rate));
        s.route_through(&proxy);
        s.use_scenario(STACK);
        s.init();
        let client = s.client();
        let mut total = Counts::default();
        let (mut first, mut converged, mut empty, mut destroyed_first) = (0, 0, 0, 0);
        let mut problems = Vec::new();
        for i in 1..=cycles {
            let logged = proxy.injections().len();
            let c = cycle(s, &proxy);
            total.add(&c.counts);
            first += u32::from(c.converged && c.applies == 1);
            converged += u32::from(c.converged);
            empty += u32::from(c.plan_empty);
            destroyed_first += u32::from(c.destroys == 1 && c.problems.is_empty());
            let mut line = format!(
                "  [{client}] cycle {i}/{cycles}: {} apply(s), {}, plan {}, {} destroy(s) ({}); {}",
                c.applies,
                if c.converged {
                    "converged"
                } else {
                    "NOT converged"
                },
                if c.plan_empty { "empty" } else { "NOT empty" },
                c.destroys,
                c.times.join(", "),
                c.counts
            );
            for e in &c.errors {
                let _ = write!(line, "\n    note: {e}");
            }
            if !c.errors.is_empty() {
                let _ = write!(
                    line,
                    "\n    faults of the cycle: {}",
                    injections_between(&proxy.injections(), logged)
                );
            }
            for p in &c.problems {
                let _ = write!(line, "\n    PROBLEM: {p}");
            }
            report(&line);
            problems.extend(c.problems.into_iter().map(|p| format!("cycle {i}: {p}")));
        }
        report(&format!(
            "fault cycles {name} [{client}] seed {seed}: {cycles} cycles; first apply succeeded \
             {first}/{cycles}; converged within two applies {converged}/{cycles}; empty plan \
             after apply {empty}/{converged}; clean first destroy {destroyed_first}/{cycles}; \
             problems {} (orphans, duplicates, missing objects, leftovers, non-empty plans); \
             {total}",
            problems.len()
        ));
        assert!(
            total.total_injected() > 0,
            "the proxy injected no fault: the run proves nothing"
        );
        assert!(
            problems.is_empty(),
            "[{client}] seed {seed}:\n{}",
            problems.join("\n")
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the local cloud"]
fn fault_cycles_few() {
    fault_cycles("faults-few", 3);
}

/// `make fault-test`: many cycles (`FAULT_CYCLES`, default 20) per client.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the local cloud"]
fn on_demand_fault_cycles_many() {
    let cycles = std::env::var("FAULT_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    fault_cycles("faults-many", cycles);
}

/// Paths of the creates whose answers the proxy lost, IDs hidden.
fn lost_creates(injections: &[Injection]) -> Vec<String> {
    let mut out: Vec<String> = injections
        .iter()
        .filter(|i| i.fault == Fault::ResetAfterForward)
        .map(|i| {
            let path: Vec<&str> = i
                .path
                .split('/')
                .map(|seg| if seg.len() >= 32 { "{id}" } else { seg })
                .collect();
            format!("{} {} -> {:?}", i.method, path.join("/"), i.lost_status)
        })
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the local cloud"]
fn lost_create_answers() {
    harness::on_both_clients_concurrently_locally("faults-lost", NEEDS, |s| {
        let plan = FaultPlan {
            lose_first_creates: true,
            ..FaultPlan::none()
        };
        let proxy = FaultProxy::start(&s.cloud(), plan);
        s.route_through(&proxy);
        s.use_scenario(STACK);
        s.init();
        let client = s.client();
        let mut problems = Vec::new();
        let mut errors = Vec::new();
        let (mut applies, mut converged) = (0, false);
        for attempt in 1..=2 {
            applies = attempt;
            let out = s.try_apply();
            let r = check_reconciled(
                s,
                &mut problems,
                &mut errors,
                &format!("apply {attempt}"),
                out.success(),
            );
            if out.success() {
                converged = true;
                check_objects(&r, &STACK_OBJECTS, &mut problems);
                break;
            }
            errors.push(format!("apply {attempt}: {}", errors_of(&out)));
            if attempt == 2 {
                problems.push("the stack did not converge within two applies".into());
            }
        }
        let lost = lost_creates(&proxy.injections());
        if converged {
            plan_empty(s, &mut problems);
        }
        destroy_all(s, &mut problems, &mut errors);
        report(&format!(
            "lost create answers [{client}]: {applies} apply(s); {} answers lost: {}{}{}",
            lost.len(),
            lost.join(", "),
            errors
                .iter()
                .map(|e| format!("\n    note: {e}"))
                .collect::<String>(),
            problems
                .iter()
                .map(|p| format!("\n    PROBLEM: {p}"))
                .collect::<String>(),
        ));
        // One lost answer per kind the stack creates: networks, subnets, routers, router
        // interfaces, security groups, rules, ports, servers, volumes, volume attachments and
        // floating IPs.
        assert!(
            lost.len() >= 11,
            "[{client}] the proxy lost only {} create answers: {lost:?}",
            lost.len()
        );
        assert!(problems.is_empty(), "[{client}]:\n{}", problems.join("\n"));
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the local cloud"]
fn interrupted_apply() {
    harness::on_both_clients_concurrently_locally("faults-sigint", NEEDS, |s| {
        // Every create is held in the proxy for a while, so that the interrupt finds some in
        // flight: they reach the cloud after Ctrl-C, and what they made must land in state.
        let plan = FaultPlan {
            hold_creates: Duration::from_secs(3),
            ..FaultPlan::none()
        };
        let proxy = FaultProxy::start(&s.cloud(), plan);
        s.route_through(&proxy);
        s.use_scenario(STACK);
        s.init();
        let client = s.client();
        let mut problems = Vec::new();
        let mut errors = Vec::new();

        let running = s.start_apply();
        let started = proxy.wait_until(Duration::from_secs(300), |c| c.creates >= 3);
        running.interrupt();
        let out = running.wait();
        let at_interrupt = proxy.counts();
        assert!(started, "[{client}] the apply sent no 3 creates:\n{out}");
        assert!(
            !out.success(),
            "[{client}] the apply finished despite the interrupt:\n{out}"
        );
        out.assert_contains("Interrupt received");
        let r = check_reconciled(
            s,
            &mut problems,
            &mut errors,
            "the interrupted apply",
            false,
        );
        let kept = r.total_held();
        let tainted = inventory::tainted(&s.state_json()).len();

        proxy.calm();
        let again = s.try_apply();
        if again.success() {
            let r = check_reconciled(
                s,
                &mut problems,
                &mut errors,
                "the apply after the interrupt",
                true,
            );
            check_objects(&r, &STACK_OBJECTS, &mut problems);
            plan_empty(s, &mut problems);
        } else {
            errors.push(format!("apply after the interrupt: {}", errors_of(&again)));
            problems.push("the apply after the interrupt failed".into());
        }
        destroy_all(s, &mut problems, &mut errors);
        report(&format!(
            "interrupted apply [{client}]: interrupted after {} creates had gone out; the cloud \
             then held {kept} objects of the stack, all in state ({tainted} of them tainted); \
             {}{}{}",
            at_interrupt.creates,
            if again.success() {
                "the next apply converged"
            } else {
                "the next apply FAILED"
            },
            errors
                .iter()
                .map(|e| format!("\n    note: {e}"))
                .collect::<String>(),
            problems
                .iter()
                .map(|p| format!("\n    PROBLEM: {p}"))
                .collect::<String>(),
        ));
        assert!(problems.is_empty(), "[{client}]:\n{}", problems.join("\n"));
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the local cloud"]
fn zero_create_timeout() {
    harness::on_both_clients_concurrently("faults-timeout", |s| {
        let client = s.client();
        let mut problems = Vec::new();
        let mut errors = Vec::new();
        s.use_config("faults/timeout/zero.tf");
        s.init();
        let zero = s.try_apply();
        assert!(
            !zero.success() && zero.contains("did not finish within its timeout"),
            "[{client}] an apply with zero create timeouts did not time out:\n{zero}"
        );
        check_reconciled(
            s,
            &mut problems,
            &mut errors,
            "the apply with zero timeouts",
            zero.success(),
        );
        s.use_config("faults/timeout/default.tf");
        let again = s.try_apply();
        if again.success() {
            let r = check_reconciled(
                s,
                &mut problems,
                &mut errors,
                "the apply without timeouts",
                true,
            );
            check_objects(&r, &[("scs_network", 1), ("scs_volume", 1)], &mut problems);
            plan_empty(s, &mut problems);
        } else {
            problems.push(format!(
                "the apply without timeouts failed: {}",
                errors_of(&again)
            ));
        }
        destroy_all(s, &mut problems, &mut errors);
        report(&format!(
            "zero create timeout [{client}]: the apply with zero timeouts {}; {}{}{}",
            if zero.success() {
                "succeeded".to_owned()
            } else {
                format!("failed ({})", errors_of(&zero))
            },
            if again.success() {
                "the next apply converged"
            } else {
                "the next apply FAILED"
            },
            errors
                .iter()
                .map(|e| format!("\n    note: {e}"))
                .collect::<String>(),
            problems
                .iter()
                .map(|p| format!("\n    PROBLEM: {p}"))
                .collect::<String>(),
        ));
        assert!(problems.is_empty(), "[{client}]:\n{}", problems.join("\n"));
    });
}

#[test]
fn errors_of_keeps_summary_and_detail_of_each_diagnostic() {
    let out = CmdOutput {
        command: "tofu apply".into(),
        code: Some(1),
        stdout: String::new(),
        stderr: "\u{2577}\n\u{2502} Error: Cannot delete volume\n\u{2502} \n\u{2502}   with \
                 scs_volume.this,\n\u{2502}   on main.tf line 12, in resource \"scs_volume\" \
                 \"this\":\n\u{2502}   12: resource \"scs_volume\" \"this\" {\n\u{2502} \n\u{2502} \
                 delete volume v: HTTP 400 Bad Request\n\u{2502} badRequest: Invalid volume\n\
                 \u{2575}\n\nError: Cannot read port\n\nget port p: HTTP 500\n"
            .into(),
    };
    assert_eq!(
        errors_of(&out),
        "Cannot delete volume / delete volume v: HTTP 400 Bad Request badRequest: Invalid volume \
         | Cannot read port / get port p: HTTP 500"
    );
}
