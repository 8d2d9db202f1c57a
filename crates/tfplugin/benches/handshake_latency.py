#!/usr/bin/env python3
"""Times a plugin from exec to its handshake line, as go-plugin launches it.

go-plugin's client waits for that line before it can make any call, and
Terraform/OpenTofu start each provider several times per command, so this
is start-up latency every user pays.

    cargo build --release -p tfplugin --example empty_plugin
    python3 crates/tfplugin/benches/handshake_latency.py [--runs 30] [BINARY]

BINARY defaults to target/release/examples/empty_plugin (under
CARGO_TARGET_DIR if set). Each run is measured with AutoMTLS
(PLUGIN_CLIENT_CERT set, as Terraform and OpenTofu do) and without TLS,
alternately, so that background load affects both alike. Needs `openssl`
for the client certificate.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def client_cert_pem(workdir):
    """A P-521 CA certificate like the one go-plugin's client makes per launch."""
    key, cert = os.path.join(workdir, "client.key"), os.path.join(workdir, "client.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521",
         "-nodes", "-subj", "/O=HashiCorp/CN=localhost", "-days", "1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True)
    with open(cert, encoding="ascii") as f:
        return f.read()


def one_run(binary, env):
    """Seconds from spawn to the first stdout line, and that line."""
    start = time.perf_counter()
    child = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    if not line.startswith(b"1|6|"):
        sys.exit(f"no handshake line from {binary}: {line!r}")
    return elapsed, line.decode().strip()


def summary(name, samples):
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return (f"{name:<10} median {statistics.median(ms):7.2f} ms   min {ms[0]:7.2f} ms   "
            f"p90 {p90:7.2f} ms   ({len(ms)} runs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    binary = args.binary or os.path.join(target, "release", "examples", "empty_plugin")
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} is not an executable; build it first (see --help)")

    workdir = tempfile.mkdtemp(prefix="handshake-latency-")
    try:
        base = dict(os.environ)
        for key in ("TF_LOG", "TF_LOG_PROVIDER", "PLUGIN_UNIX_SOCKET_GROUP"):
            base.pop(key, None)
        base.update({
            "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
            "PLUGIN_PROTOCOL_VERSIONS": "5,6",
            # What Terraform and OpenTofu set.
            "PLUGIN_MIN_PORT": "10000",
            "PLUGIN_MAX_PORT": "25000",
            # Killed plugins leave their sockets behind; keep them in here.
            "PLUGIN_UNIX_SOCKET_DIR": workdir,
        })
        modes = {
            "AutoMTLS": dict(base, PLUGIN_CLIENT_CERT=client_cert_pem(workdir)),
            "plaintext": dict(base, PLUGIN_CLIENT_CERT=""),
        }
        samples = {name: [] for name in modes}
        lines = {}
        one_run(binary, modes["plaintext"])  # warm the page cache
        for _ in range(args.runs):
            for name, env in modes.items():
                elapsed, lines[name] = one_run(binary, env)
                samples[name].append(elapsed)
        for name in modes:
            print(summary(name, samples[name]))
        print("handshake line, AutoMTLS:", lines["AutoMTLS"][:60] + "...")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
