"""Writes the SBOM and the provenance statement of a release (see docs/releasing.md).

    release-attest.py DIST_DIR VERSION TRIPLE...

- terraform-provider-scs_VERSION_sbom.cdx.json: CycloneDX 1.5, the provider binary's dependency graph
  (normal dependencies from the binary's package on the release's targets: what is linked in; dev and
  build dependencies are not), each crate with its purl, license expression and the SHA-256 Cargo.lock
  pins for it.
- terraform-provider-scs_VERSION_provenance.json: an in-toto statement with an SLSA v1 provenance
  predicate: the zips and the manifest as subjects (their SHA-256), the commit and the toolchain that
  built them, and how (`make release`).

Reads `cargo metadata` (offline, locked) from the current directory; release.sh signs both files.
"""

import datetime
import hashlib
import json
import os
import subprocess
import sys
import tomllib

NAME = "terraform-provider-scs"


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def purl(pkg):
    return f"pkg:cargo/{pkg['name']}@{pkg['version']}"


def sbom(version, triples, timestamp):
    meta = json.loads(run("cargo", "metadata", "--format-version", "1", "--locked", "--offline",
                          *[f"--filter-platform={t}" for t in triples]))
    with open("Cargo.lock", "rb") as f:
        lock = tomllib.load(f)
    checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock.get("package", [])}
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = next(p["id"] for p in meta["packages"] if p["name"] == NAME)

    # Only what the binary links: dependencies of kind "normal" (null) on the filtered targets.
    seen, stack, edges = set(), [root], {}
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        deps = [d["pkg"] for d in nodes[pid]["deps"]
                if any(k["kind"] is None for k in d["dep_kinds"])]
        edges[pid] = sorted(set(deps))
        stack.extend(deps)

    def component(pid):
        p = packages[pid]
        c = {"type": "library", "bom-ref": purl(p), "name": p["name"], "version": p["version"],
             "purl": purl(p)}
        if p.get("license"):
            c["licenses"] = [{"expression": p["license"]}]
        if checksums.get((p["name"], p["version"])):
            c["hashes"] = [{"alg": "SHA-256", "content": checksums[(p["name"], p["version"])]}]
        if p.get("source") is None:
            c["description"] = "part of this repository"
        return c

    main = component(root)
    main["type"] = "application"
    main["version"] = version
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "component": main,
            "tools": {"components": [{"type": "application", "name": "release-attest.py"}]},
        },
        "components": sorted((component(pid) for pid in seen if pid != root),
                             key=lambda c: c["bom-ref"]),
        "dependencies": sorted(
            ({"ref": purl(packages[pid]) if pid != root else main["bom-ref"],
              "dependsOn": [purl(packages[d]) for d in deps]} for pid, deps in edges.items()),
            key=lambda d: d["ref"]),
    }


def provenance(dist, version, triples, timestamp):
    subjects = []
    for name in sorted(os.listdir(dist)):
        if name.endswith(".zip") or name.endswith("_manifest.json"):
            with open(os.path.join(dist, name), "rb") as f:
                subjects.append({"name": name, "digest": {"sha256": hashlib.sha256(f.read()).hexdigest()}})
    commit = run("git", "rev-parse", "HEAD").strip()
    dirty = bool(run("git", "status", "--porcelain", "--untracked-files=no").strip())
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://github.com/SovereignCloudStack/terraform-provider-scs/blob/main/docs/releasing.md",
                "externalParameters": {"command": f"make release VERSION={version}", "targets": triples},
                "internalParameters": {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")},
                "resolvedDependencies": [{
                    "uri": "git+https://github.com/SovereignCloudStack/terraform-provider-scs",
                    "digest": {"gitCommit": commit},
                    "annotations": {"uncommittedChanges": dirty},
                }],
            },
            "runDetails": {
                "builder": {
                    "id": os.environ.get("RELEASE_BUILDER", "local"),
                    "version": {"rustc": run("rustc", "-V").strip(), "cargo": run("cargo", "-V").strip()},
                },
                "metadata": {"finishedOn": timestamp},
            },
        },
    }


def main(dist, version, *triples):
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for suffix, doc in (("sbom.cdx.json", sbom(version, list(triples), timestamp)),
                        ("provenance.json", provenance(dist, version, list(triples), timestamp))):
        with open(os.path.join(dist, f"{NAME}_{version}_{suffix}"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip())
    main(*sys.argv[1:])
