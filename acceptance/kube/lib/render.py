#!/usr/bin/env python3
"""Renders the CRDs and webhook configurations of one controller for the test bed, where every
controller is a process on 127.0.0.1 instead of a Deployment behind a Service:

- each webhook's clientConfig points at https://127.0.0.1:<port><path> with the test bed's CA,
- a CRD that serves more than one version converts through the controller's /convert endpoint
  (Cluster API stores v1beta2 while the Cluster Stack Operator reads v1beta1),
- the CRDs of the providers carry the contract labels Cluster API looks them up by,
- cert-manager annotations are dropped (the CA bundle is set here).

Usage: render.py NAME CONFIG_DIR WEBHOOK_PORT CA_FILE OUT_FILE
CONFIG_DIR holds crd/*.yaml and optionally webhook.yaml (build.sh copies them there).
"""
import base64
import glob
import os
import sys

import yaml

# Controllers whose CRDs Cluster API finds by contract label (the core and CSO need none).
CONTRACT_LABELS = {"cluster.x-k8s.io/v1beta1": "v1beta1", "cluster.x-k8s.io/v1beta2": "v1beta2"}
PROVIDERS = {"capi-kubeadm-bootstrap", "capi-kubeadm-control-plane", "capd"}


def main(name, config_dir, port, ca_file, out_file):
    with open(ca_file, "rb") as f:
        ca_bundle = base64.b64encode(f.read()).decode()
    base = f"https://127.0.0.1:{port}"
    docs = []
    for path in sorted(glob.glob(os.path.join(config_dir, "crd", "*.yaml"))):
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd:
                    continue
                meta = crd["metadata"]
                labels = meta.setdefault("labels", {})
                if name in PROVIDERS:
                    labels.update(CONTRACT_LABELS)
                labels["cluster.x-k8s.io/provider"] = name
                (meta.get("annotations") or {}).pop("cert-manager.io/inject-ca-from", None)
                if len(crd["spec"]["versions"]) > 1:
                    crd["spec"]["conversion"] = {
                        "strategy": "Webhook",
                        "webhook": {
                            "conversionReviewVersions": ["v1", "v1beta1"],
                            "clientConfig": {"url": f"{base}/convert", "caBundle": ca_bundle},
                        },
                    }
                docs.append(crd)
    webhooks = os.path.join(config_dir, "webhook.yaml")
    if os.path.exists(webhooks):
        with open(webhooks) as f:
            for config in yaml.safe_load_all(f):
                if not config:
                    continue
                config["metadata"] = {"name": f"{name}-{config['kind'].lower()}"}
                for hook in config.get("webhooks", []):
                    path = hook["clientConfig"].get("service", {}).get("path", "/")
                    hook["clientConfig"] = {"url": base + path, "caBundle": ca_bundle}
                docs.append(config)
    if not docs:
        sys.exit(f"render.py: no CRDs in {config_dir}")
    tmp = out_file + ".tmp"
    with open(tmp, "w") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False)
    os.replace(tmp, out_file)


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
