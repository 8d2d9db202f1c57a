#!/usr/bin/env python3
"""Side-by-side benchmark: terraform-provider-scs against terraform-provider-openstack on one cloud.

    python3 acceptance/bench/compare.py --scs BIN --openstack BIN [--reps 3] [--scenarios a,b] [--out FILE]

Both providers run under the same client (tofu by default, CLIENT=terraform for the other), installed
through dev_overrides in a temporary CLI configuration, against the same cloud (OS_CLOUD in
OS_CLIENT_CONFIG_FILE; the local test cloud by default). The runs are interleaved: in each repetition
every scenario runs for both providers, one after the other, and which provider goes first alternates
from one repetition to the next, so a change of background load hits both alike.

Scenarios (HCL for both providers in compare/<scenario>/{scs,openstack}/main.tf; this provider's
quickstart is examples/quickstart itself):

  quickstart   examples/quickstart: apply, refresh, destroy
  networks     150 networks with a subnet each: apply, refresh, destroy
  rules        200 rules in one security group: apply, refresh, destroy
  volumes      10 empty volumes at once (10 waits of one kind at a time): apply, refresh, destroy
  handshake    exec to the handshake line with AutoMTLS (PLUGIN_CLIENT_CERT set), 20 starts per
               provider per repetition, alternating
  state1000    1,000 resources (5 groups, 995 rules): apply, refresh, destroy; for the peak RSS with
               1,000 resources in state. Slow; runs only when named in --scenarios.

Per phase: the client's wall time; the requests the provider sent, counted by a proxy on 127.0.0.1
placed in front of every service of the cloud (the clouds.yaml handed to both providers names the proxy's
Keystone, whose catalog names the proxy's other listeners; token requests count too); the peak RSS of the
largest provider process and the CPU time (user + system) of all provider processes of the phase, from
GNU time around each provider process. It prints the medians and the ratio scs/openstack, and writes
them with every sample as JSON. Everything created is named bcmp-<run>-... and destroyed, also on failure
or Ctrl-C.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from count_proxy import CountingProxy  # noqa: E402

PROVIDERS = ("scs", "openstack")


def scenario_dir(scenario, provider):
    """The configuration of one scenario for one provider. This provider's quickstart is the example
    users start from, so the benchmark measures exactly that and no copy of it."""
    if (scenario, provider) == ("quickstart", "scs"):
        return os.path.join(ROOT, "examples", "quickstart")
    return os.path.join(HERE, "compare", scenario, provider)
SOURCES = {
    "scs": "sovereigncloudstack/scs",
    "openstack": "terraform-provider-openstack/openstack",
}
CLOUD_SCENARIOS = ("quickstart", "networks", "rules", "volumes", "state1000")
DEFAULT_SCENARIOS = ("quickstart", "networks", "rules", "volumes", "handshake")
PHASES = ("apply", "refresh", "destroy")
# The local test cloud's services by port (what the proxy listens in front of).
SERVICES = {"identity": 5000, "compute": 8774, "network": 9696, "volume": 8776, "image": 9292,
            "placement": 8778}
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
HANDSHAKE_STARTS = 20
PHASE_TIMEOUT = 3600


def log(msg):
    print(f"compare: {msg}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="scs-bench-compare-")
        self.run_id = f"{int(time.time()) % 1000000}"
        self.client = args.client_bin
        self.applied = {}  # config dir -> provider, for the cleanup
        self.bins = {}
        os.makedirs(os.path.join(self.work, "rss"))
        for name, binary in (("scs", args.scs), ("openstack", args.openstack)):
            # Copies, so a build during the run cannot swap a binary under a running phase.
            real = os.path.join(self.work, f"terraform-provider-{name}.real")
            shutil.copy2(binary, real)
            self.bins[name] = real
            override = os.path.join(self.work, f"override-{name}")
            os.makedirs(override)
            wrapper = os.path.join(override, f"terraform-provider-{name}")
            with open(wrapper, "w") as f:
                f.write("#!/bin/sh\n"
                        f"exec /usr/bin/time -f '%M %U %S' -o \"{self.work}/rss/{name}.$$\" "
                        f"\"{real}\" \"$@\"\n")
            os.chmod(wrapper, 0o755)
        with open(os.path.join(self.work, "cli.tfrc"), "w") as f:
            f.write("provider_installation {\n  dev_overrides {\n")
            for name, source in SOURCES.items():
                for host in ("registry.opentofu.org", "registry.terraform.io"):
                    f.write(f'    "{host}/{source}" = "{self.work}/override-{name}"\n')
            f.write("  }\n  direct {}\n}\n")

    # The cloud, behind the counting proxy.
    def start_proxy(self):
        src = os.environ.get("OS_CLIENT_CONFIG_FILE") or os.path.join(
            ROOT, "acceptance/localcloud/clouds.yaml")
        cloud_name = os.environ.get("OS_CLOUD", "scs-local")
        with open(src) as f:
            cloud = yaml.safe_load(f)["clouds"][cloud_name]
        auth_url = cloud["auth"]["auth_url"]
        m = re.match(r"http://(127\.0\.0\.1|localhost):(\d+)(/.*)?$", auth_url)
        if not m:
            sys.exit(f"compare: {cloud_name}'s auth_url {auth_url} is not a plain-HTTP loopback cloud; "
                     "the counting proxy needs the local test cloud")
        self.proxy = CountingProxy("127.0.0.1", SERVICES)
        self.proxy.start()
        cloud["auth"]["auth_url"] = f"http://127.0.0.1:{self.proxy.port('identity')}{m.group(3) or ''}"
        clouds = os.path.join(self.work, "clouds.yaml")
        doc = {"clouds": {"bench": cloud}}
        if self.args.cache_auth:
            # openstacksdk's switch, which this provider honours and terraform-provider-openstack
            # does not read: tokens are kept between provider processes.
            doc["cache"] = {"auth": True}
        with open(clouds, "w") as f:
            yaml.safe_dump(doc, f)
        self.env = dict(os.environ)
        for key in ("TF_LOG", "TF_LOG_PROVIDER", "OS_AUTH_URL", "OS_TOKEN", "OS_PASSWORD"):
            self.env.pop(key, None)
        self.env.update({
            "OS_CLOUD": "bench",
            "OS_CLIENT_CONFIG_FILE": clouds,
            "TF_CLI_CONFIG_FILE": os.path.join(self.work, "cli.tfrc"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        })
        log(f"counting proxy in front of {sorted(SERVICES)}; clouds.yaml {clouds}")

    def tf(self, cwd, *args, logname):
        with open(os.path.join(cwd, f"{logname}.log"), "w") as out:
            return subprocess.run([self.client, *args], cwd=cwd, env=self.env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=PHASE_TIMEOUT).returncode

    def phase(self, cwd, provider, name, args):
        rss_dir = os.path.join(self.work, "rss")
        for f in os.listdir(rss_dir):
            os.unlink(os.path.join(rss_dir, f))
        self.proxy.take()
        start = time.monotonic()
        rc = self.tf(cwd, *args, logname=name)
        wall = time.monotonic() - start
        counts = self.proxy.take()
        rss_kib, cpu, procs = 0, 0.0, 0
        for f in os.listdir(rss_dir):
            with open(os.path.join(rss_dir, f)) as fh:
                for line in fh:
                    parts = line.split()
                    # GNU time writes "Command terminated by signal ..." before the numbers when the
                    # client killed the provider at the end; the numbers still follow.
                    if len(parts) == 3 and parts[0].isdigit():
                        rss_kib = max(rss_kib, int(parts[0]))
                        cpu += float(parts[1]) + float(parts[2])
                        procs += 1
        if rc != 0:
            tail = open(os.path.join(cwd, f"{name}.log")).read()[-3000:]
            raise RuntimeError(f"{provider} {name} failed in {cwd}:\n{tail}")
        return {"wall_s": round(wall, 3), "requests": sum(counts.values()),
                "requests_by_kind": dict(sorted(counts.items())),
                "provider_peak_rss_mib": round(rss_kib / 1024, 1), "provider_cpu_s": round(cpu, 2),
                "provider_processes": procs}

    def cloud_scenario(self, scenario, provider, rep):
        cwd = os.path.join(self.work, f"{scenario}-{provider}-{rep}")
        shutil.copytree(scenario_dir(scenario, provider), cwd)
        prefix = f"bcmp-{self.run_id}-{scenario[:5]}-{provider[:3]}{rep}"
        with open(os.path.join(cwd, "terraform.tfvars"), "w") as f:
            f.write(f'prefix = "{prefix}"\n')
        par = f"-parallelism={self.args.parallelism}"
        result = {}
        self.applied[cwd] = provider
        result["apply"] = self.phase(cwd, provider, "apply",
                                     ["apply", "-auto-approve", "-input=false", "-no-color", par])
        listed = subprocess.run([self.client, "state", "list"], cwd=cwd, env=self.env,
                                capture_output=True, text=True, check=True).stdout.split()
        resources = len([r for r in listed if not r.startswith("data.")])
        result["refresh"] = self.phase(cwd, provider, "refresh",
                                       ["apply", "-refresh-only", "-auto-approve", "-input=false",
                                        "-no-color", par])
        result["refresh"]["requests_per_resource"] = round(result["refresh"]["requests"] / resources, 3)
        result["destroy"] = self.phase(cwd, provider, "destroy",
                                       ["destroy", "-auto-approve", "-input=false", "-no-color", par])
        del self.applied[cwd]
        result["resources"] = resources
        return result

    def handshake(self, rep):
        key, cert = (os.path.join(self.work, n) for n in ("client.key", "client.pem"))
        if not os.path.exists(cert):
            # A P-521 CA certificate like the one go-plugin's client makes for each launch.
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-521", "-nodes", "-subj", "/O=HashiCorp/CN=localhost",
                            "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE",
                            "-keyout", key, "-out", cert], check=True, capture_output=True)
        sockets = os.path.join(self.work, "sockets")
        os.makedirs(sockets, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_LOG", "PLUGIN_"))}
        env.update({"TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
                    "PLUGIN_MIN_PORT": "10000", "PLUGIN_MAX_PORT": "25000",
                    "PLUGIN_UNIX_SOCKET_DIR": sockets, "PLUGIN_CLIENT_CERT": open(cert).read()})
        samples = {p: [] for p in PROVIDERS}
        order = PROVIDERS if rep % 2 == 0 else PROVIDERS[::-1]
        for i in range(HANDSHAKE_STARTS + 1):
            for provider in order:
                start = time.perf_counter()
                child = subprocess.Popen([self.bins[provider]], env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                line = child.stdout.readline()
                elapsed = time.perf_counter() - start
                child.send_signal(signal.SIGKILL)
                child.wait()
                child.stdout.close()
                if not re.match(rb"^1\|[56]\|", line):
                    raise RuntimeError(f"no handshake line from {provider}: {line!r}")
                if i > 0:  # the first start of each only warms the page cache
                    samples[provider].append(elapsed * 1000)
        return {p: {"handshake_ms": round(statistics.median(s), 2),
                    "handshake_min_ms": round(min(s), 2)} for p, s in samples.items()}

    def cleanup(self):
        for cwd, provider in list(self.applied.items()):
            log(f"destroying what {provider} created in {cwd}")
            rc = self.tf(cwd, "destroy", "-auto-approve", "-input=false", "-no-color",
                         logname="cleanup")
            if rc == 0:
                del self.applied[cwd]
            else:
                log(f"cleanup destroy FAILED (see {cwd}/cleanup.log); retry with "
                    f"TF_CLI_CONFIG_FILE={self.work}/cli.tfrc OS_CLIENT_CONFIG_FILE={self.work}/clouds.yaml "
                    f"OS_CLOUD=bench {self.client} -chdir={cwd} destroy; objects are named "
                    f"bcmp-{self.run_id}-*")
        return not self.applied


def interrupted(*_):
    raise KeyboardInterrupt()


def median(values):
    return statistics.median(values) if values else None


def summarize(samples):
    """samples: {scenario: {provider: [rep result]}} -> rows of (scenario, phase, metric, scs, tpo)."""
    rows = []
    for scenario, by_provider in samples.items():
        if scenario == "handshake":
            metrics = [(None, "handshake_ms")]
        else:
            metrics = [(phase, metric) for phase in PHASES
                       for metric in ("wall_s", "requests", "requests_per_resource",
                                      "provider_peak_rss_mib", "provider_cpu_s")]
        for phase, metric in metrics:
            values = {}
            for provider in PROVIDERS:
                reps = by_provider.get(provider, [])
                vals = [(r[phase] if phase else r).get(metric) for r in reps]
                vals = [v for v in vals if v is not None]
                values[provider] = median(vals)
            if values["scs"] is None and values["openstack"] is None:
                continue
            ratio = (values["scs"] / values["openstack"]
                     if values["scs"] is not None and values["openstack"] else None)
            rows.append({"scenario": scenario, "phase": phase or "start", "metric": metric,
                         "scs": values["scs"], "openstack": values["openstack"],
                         "ratio": round(ratio, 3) if ratio is not None else None,
                         "reps": min(len(by_provider.get(p, [])) for p in PROVIDERS)})
    return rows


def print_table(rows):
    print(f"{'scenario':<11} {'phase':<8} {'metric':<22} {'scs':>10} {'openstack':>10} "
          f"{'scs/tpo':>8} {'reps':>4}")
    for r in rows:
        fmt = lambda v: "-" if v is None else (f"{v:.3f}" if isinstance(v, float) and v < 10 else
                                               f"{v:.1f}" if isinstance(v, float) else str(v))
        print(f"{r['scenario']:<11} {r['phase']:<8} {r['metric']:<22} {fmt(r['scs']):>10} "
              f"{fmt(r['openstack']):>10} {fmt(r['ratio']):>8} {r['reps']:>4}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scs", required=True, help="terraform-provider-scs binary")
    parser.add_argument("--openstack", required=True, help="terraform-provider-openstack binary")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    parser.add_argument("--client-bin", default=os.path.join(ROOT, "acceptance/tools/bin/tofu"))
    parser.add_argument("--parallelism", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(ROOT, "target/bench-compare.json"))
    parser.add_argument("--keep-work", action="store_true")
    parser.add_argument("--cache-auth", action="store_true",
                        help="write 'cache: {auth: true}' into the clouds.yaml both providers read")
    parser.add_argument("--budget-min", type=float, default=0,
                        help="start no scenario after this many minutes (0: no limit)")
    args = parser.parse_args()
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(CLOUD_SCENARIOS) - {"handshake"}
    if unknown:
        sys.exit(f"compare: unknown scenarios {sorted(unknown)}; known: "
                 f"{', '.join(CLOUD_SCENARIOS + ('handshake',))}")
    if not shutil.which("/usr/bin/time"):
        sys.exit("compare: /usr/bin/time (GNU time) is missing: apt-get install time")

    bench = Bench(args)
    signal.signal(signal.SIGTERM, interrupted)
    samples = {s: {p: [] for p in PROVIDERS} for s in scenarios}
    loads = []
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    client_version = next((line for line in subprocess.run(
        [args.client_bin, "version"], capture_output=True, text=True).stdout.splitlines()
        if re.match(r"(OpenTofu|Terraform) v", line)), "unknown client")
    log(f"{client_version}, {args.reps} repetitions of {', '.join(scenarios)}, work dir {bench.work}")
    ok = True
    try:
        if set(scenarios) & set(CLOUD_SCENARIOS):
            bench.start_proxy()
        deadline = time.monotonic() + args.budget_min * 60 if args.budget_min else None
        for rep in range(args.reps):
            order = PROVIDERS if rep % 2 == 0 else PROVIDERS[::-1]
            for scenario in scenarios:
                if deadline and time.monotonic() > deadline:
                    log(f"time budget of {args.budget_min} min used up: rep {rep + 1} {scenario} and "
                        "what follows not started")
                    raise StopIteration
                write_report(args, samples, loads, started, client_version, ok=False)
                loads.append(os.getloadavg()[0])
                if scenario == "handshake":
                    result = bench.handshake(rep)
                    for p in PROVIDERS:
                        samples[scenario][p].append(result[p])
                    log(f"rep {rep + 1} handshake: "
                        + ", ".join(f"{p} {result[p]['handshake_ms']} ms" for p in PROVIDERS))
                    continue
                for provider in order:
                    start = time.monotonic()
                    result = bench.cloud_scenario(scenario, provider, rep)
                    samples[scenario][provider].append(result)
                    log(f"rep {rep + 1} {scenario} {provider}: " + ", ".join(
                        f"{ph} {result[ph]['wall_s']:.1f} s/{result[ph]['requests']} req"
                        for ph in PHASES) + f" ({time.monotonic() - start:.0f} s, load "
                        f"{os.getloadavg()[0]:.1f})")
    except StopIteration:
        pass
    except (Exception, KeyboardInterrupt) as e:
        ok = False
        log(f"stopped: {e}")
    finally:
        if not bench.cleanup():
            ok = False
        if hasattr(bench, "proxy"):
            bench.proxy.stop()
        if not args.keep_work and not bench.applied:
            shutil.rmtree(bench.work, ignore_errors=True)

    rows = write_report(args, samples, loads, started, client_version, ok)
    print_table(rows)
    print(f"written to {args.out}; load average (1 min) at scenario starts: "
          f"{min(loads, default=0):.1f}-{max(loads, default=0):.1f} on {os.cpu_count()} cores")
    sys.exit(0 if ok else 1)


def write_report(args, samples, loads, started, client_version, ok):
    """Writes the JSON report (also after each scenario, so an interrupted run leaves its numbers)."""
    rows = summarize(samples)
    report = {
        "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "client": client_version, "parallelism": args.parallelism, "reps": args.reps,
        "cache_auth": args.cache_auth,
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "load_avg_1m_at_scenario_starts": [round(x, 1) for x in loads]},
        "medians": rows, "samples": samples, "complete": ok,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
