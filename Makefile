# terraform-provider-scs: every command a person or CI needs. `make help` lists them.
#
# Which cloud: by default the local test cloud (acceptance/localcloud, cloud `scs-local`), brought up on
# demand. Set OS_CLOUD (and OS_CLIENT_CONFIG_FILE if your clouds.yaml is elsewhere) to use another one;
# then nothing local is started.
#
# Which Kubernetes: by default the local test bed (acceptance/kube: etcd, kube-apiserver, Cluster API,
# the Cluster Stack Operator as processes on 127.0.0.1), brought up on demand. Set TF_ACC_KUBECONFIG to
# a kubeconfig of another management cluster to use that one; then nothing local is started.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

CARGO ?= cargo
LOCALCLOUD_DIR := acceptance/localcloud
TOOLS_BIN := $(CURDIR)/acceptance/tools/bin
# Installing the tools and starting the cloud take minutes; .ci/run starts them in the background while
# the Rust checks run. The locks make a second `make tools`/`make cloud-up` wait for the first one and then
# return at once, instead of installing the same thing twice at the same time.
LOCK_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/terraform-provider-scs/locks
# -o: the command does not inherit the lock's descriptor, so daemons it starts (the cloud's) cannot
# hold the lock after it returns; flock itself keeps it until the command ends.
LOCKED = mkdir -p $(LOCK_DIR) && flock -o $(LOCK_DIR)/$(1).lock

export OS_CLOUD ?= scs-local
ifneq ($(filter scs-local%,$(OS_CLOUD)),)
  USE_LOCAL_CLOUD := yes
  export OS_CLIENT_CONFIG_FILE ?= $(CURDIR)/$(LOCALCLOUD_DIR)/clouds.yaml
else
  USE_LOCAL_CLOUD := no
endif
KUBE_DIR := acceptance/kube
ifeq ($(TF_ACC_KUBECONFIG),)
  USE_KUBE_BED := yes
else
  USE_KUBE_BED := no
endif

export TF_ACC_TERRAFORM_PATH ?= $(TOOLS_BIN)/terraform
export TF_ACC_TOFU_PATH ?= $(TOOLS_BIN)/tofu
export CARGO_TERM_COLOR ?= auto

# Acceptance tests are the integration-test files named acc_* (root crate; each test is #[ignore]d, so a
# plain `cargo test` reports them as ignored, and `acceptance` runs them with --include-ignored, except the
# on_demand_* measurements) and *live* (scs-client: they run when OS_CLOUD or OS_AUTH_URL is set);
# everything else in `cargo test` runs without a cloud.
# The cluster scenarios need the Kubernetes test bed, the others only the cloud: `make test` runs the
# cloud's first, while the test bed may still be building.
KUBE_ACC_FILES := $(wildcard tests/acc_cluster*.rs tests/acc_kube*.rs)
ACC_TESTS := $(patsubst tests/%.rs,--test %,$(filter-out $(KUBE_ACC_FILES),$(wildcard tests/acc_*.rs)))
KUBE_ACC_TESTS := $(patsubst tests/%.rs,--test %,$(KUBE_ACC_FILES))
# The clients the acceptance tests run on, side by side (acceptance/run-by-client.sh).
ACC_CLIENTS ?= terraform tofu terraform-latest
# What the newest Terraform runs: by default the scenarios of the protocol features older clients lack
# and the install scenarios; ACC_LATEST=all runs every scenario on it too. The whole suite on a third
# client adds half again to a run that the cloud's CPU bounds (see README), more than CI's time allows.
ACC_LATEST ?= features
# Those files are the ones whose scenarios name the newest Terraform: `on_every_client`, a client
# list with `Client::TerraformLatest`, or `Client::ALL`.
ACC_LATEST_FILES := $(basename $(notdir $(filter-out $(KUBE_ACC_FILES),$(shell grep -l -E \
  'on_every_client|Client::TerraformLatest|Client::ALL' tests/acc_*.rs))))
ACC_TESTS_LATEST = $(if $(filter all,$(ACC_LATEST)),,$(patsubst %,--test %,$(ACC_LATEST_FILES)))
ACC_KUBE_CLIENTS = $(if $(filter all,$(ACC_LATEST)),$(ACC_CLIENTS),$(filter-out terraform-latest,$(ACC_CLIENTS)))
LIVE_TESTS := $(patsubst crates/scs-client/tests/%.rs,--test %,$(wildcard crates/scs-client/tests/*live*.rs))

.PHONY: help build test check fmt-check clippy unit-test cloud-smoke acceptance fault-test bench bench-memory bench-compare tools \
        cloud-up cloud-down cloud-status cloud-reset cloud-if-local demo demo-destroy fmt docs release \
        release-reproducible acc-release policy policy-tools deny-advisories install-test \
        kube-build kube-up kube-down kube-status kube-if-local kube-smoke acceptance-cloud acceptance-kube

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

build: ## build the provider binary and every crate (debug)
	$(CARGO) build --workspace --all-targets

fmt: ## format all code
	$(CARGO) fmt --all

docs: ## regenerate the argument and attribute lists of docs/*.md from the provider's schemas, and the migration guide's mapping tables
	$(CARGO) test -p terraform-provider-scs --test docs_schema -- --ignored --exact write_docs_pages
	MIGRATION_GUIDE=update $(CARGO) test -p terraform-provider-scs --test migration_guide -- --exact the_guide_has_the_tables_of_the_code

# Static checks and unit tests do not stop the run, so one make test shows every failure; the cloud
# stages need the tools and the cloud, so those stop it.
test: ## every test: fmt, clippy, unit tests, policy, local cloud and Kubernetes smoke tests, acceptance (with the install test)
	@failed=""; summary=""; blocked=""; \
	 for stage in check unit-test policy tools cloud-if-local cloud-smoke acceptance-cloud kube-if-local kube-smoke acceptance-kube; do \
	   start=$$(date +%s); rc=0; \
	   if [ -n "$$blocked" ]; then result="skipped ($$blocked failed)"; \
	   else $(MAKE) $$stage || rc=$$?; result=$$([ $$rc = 0 ] && echo ok || echo FAILED); fi; \
	   summary="$$summary$$(printf '  %-15s %-7s %ss' $$stage "$$result" $$(( $$(date +%s) - start )))\n"; \
	   if [ $$rc != 0 ]; then failed="$$failed $$stage"; \
	     case $$stage in tools|cloud-if-local|kube-if-local) blocked=$$stage;; esac; fi; \
	 done; \
	 printf "make test summary (OS_CLOUD=$(OS_CLOUD)):\n$$summary"; \
	 if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	 echo "make test: all passed"

check: ## static checks only (no cloud, no clients): fmt and clippy
	$(MAKE) -k fmt-check clippy

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit-test: ## cargo test of all crates without a cloud (acceptance tests report "ignored", live tests "skipped")
	env -u TF_ACC -u OS_CLOUD -u OS_AUTH_URL $(CARGO) test --workspace --no-fail-fast

cloud-smoke: ## check the local cloud with the openstack CLI (skipped for other clouds)
ifeq ($(USE_LOCAL_CLOUD),yes)
	@if [ -x $(LOCALCLOUD_DIR)/smoke.sh ]; then bash $(LOCALCLOUD_DIR)/smoke.sh; \
	 else echo "cloud-smoke: $(LOCALCLOUD_DIR)/smoke.sh does not exist yet: NOT RUN"; fi
else
	@echo "cloud-smoke: OS_CLOUD=$(OS_CLOUD) is not the local cloud: skipped"
endif

# The install scenarios (tests/acc_install.rs) need a release to serve: TF_ACC_RELEASE_DIR names one
# (e.g. dist/0.2.0 after `make release VERSION=0.2.0`); without it `acc-release` packages this checkout's
# linux amd64 debug binary as a release (zips, manifest, SHA256SUMS, signature, SBOM) signed with a
# throwaway key: the packaging, signing and installing are the release's, the optimised build is left to
# `make release` and `make release-reproducible`, which would add 10 to 17 minutes to every CI run.
RELEASE_TEST_ROOT := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/acc-release
PACKAGE_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

acc-release: ## a release of this checkout for the install tests (its debug binary), signed with a throwaway key
	rm -rf $(RELEASE_TEST_ROOT)
	$(CARGO) build -p terraform-provider-scs --bin terraform-provider-scs
	bash scripts/release-test-key.sh $(RELEASE_TEST_ROOT)/key >/dev/null
	VERSION=$(PACKAGE_VERSION) DIST_DIR=$(RELEASE_TEST_ROOT)/dist/$(PACKAGE_VERSION) \
	  RELEASE_BINARY=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/terraform-provider-scs \
	  RELEASE_GPG_KEY_FILE=$(RELEASE_TEST_ROOT)/key/secret.asc bash scripts/release.sh

acceptance: ## acceptance tests against OS_CLOUD and the management cluster, on the ACC_CLIENTS side by side
	$(MAKE) -k acceptance-cloud acceptance-kube

ACC_RELEASE_DIR = $(abspath $(or $(TF_ACC_RELEASE_DIR),$(RELEASE_TEST_ROOT)/dist/$(PACKAGE_VERSION)))

acceptance-cloud: ## the acceptance tests that need only OS_CLOUD
ifneq ($(strip $(ACC_TESTS)),)
ifeq ($(TF_ACC_RELEASE_DIR),)
	$(MAKE) acc-release
endif
	TF_ACC=1 TF_ACC_RELEASE_DIR=$(ACC_RELEASE_DIR) ACC_CLIENTS="$(ACC_CLIENTS)" \
	  ACC_TESTS_terraform_latest="$(ACC_TESTS_LATEST)" ACC_LOG_DIR=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/acc-logs/cloud CARGO="$(CARGO)" \
	  bash acceptance/run-by-client.sh $(ACC_TESTS)
else
	@echo "acceptance-cloud: no tests/acc_*.rs yet: NOT RUN"
endif
ifneq ($(strip $(LIVE_TESTS)),)
	TF_ACC=1 $(CARGO) test --workspace --no-fail-fast $(LIVE_TESTS)
endif

acceptance-kube: ## the cluster stack acceptance tests (the Kubernetes test bed, or TF_ACC_KUBECONFIG)
	TF_ACC=1 ACC_CLIENTS="$(ACC_KUBE_CLIENTS)" ACC_LOG_DIR=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/acc-logs/kube CARGO="$(CARGO)" \
	  bash acceptance/run-by-client.sh $(KUBE_ACC_TESTS)

install-test: ## the install scenarios alone, from RELEASE_DIR (default: a fresh acc-release) on every client
ifeq ($(RELEASE_DIR),)
	$(MAKE) acc-release
	TF_ACC=1 TF_ACC_RELEASE_DIR=$(RELEASE_TEST_ROOT)/dist/$(PACKAGE_VERSION) $(CARGO) test -p terraform-provider-scs --test acc_install -- --include-ignored
else
	TF_ACC=1 TF_ACC_RELEASE_DIR=$(abspath $(RELEASE_DIR)) $(CARGO) test -p terraform-provider-scs --test acc_install -- --include-ignored
endif

# Policies: cargo-deny's licenses, bans and sources checks (offline) and .zuul.yaml through Zuul's own
# loader, each with tests that show the check fails on a bad copy (tests/policy.rs). Advisories need the
# RustSec database from the network: `deny-advisories`, run by the zuul release job.
CACHE_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/terraform-provider-scs
export CARGO_DENY_VERSION := 0.20.2
export ZUUL_VERSION := 14.3.0
CARGO_DENY := $(CACHE_DIR)/cargo-deny-$(CARGO_DENY_VERSION)/bin/cargo-deny
ZUUL_PYTHON := $(CACHE_DIR)/zuul-$(ZUUL_VERSION)/bin/python

policy-tools: ## install cargo-deny and Zuul into the cache (once per version)
	$(call LOCKED,policy-tools) bash scripts/policy-tools.sh

# cargo-deny reads the metadata of every platform's dependencies: `cargo fetch` gets them all first (a
# build fetches only this platform's), so that the checks themselves run offline.
policy: ## cargo-deny (licenses, bans, sources) and .zuul.yaml validation, with tests that they bite
	$(MAKE) policy-tools
	$(CARGO) fetch --locked
	$(CARGO_DENY) deny --offline check licenses bans sources
	$(ZUUL_PYTHON) scripts/zuul-validate.py .zuul.yaml
	CARGO_DENY=$(CARGO_DENY) ZUUL_PYTHON=$(ZUUL_PYTHON) $(CARGO) test --workspace --test policy -- --include-ignored

deny-advisories: ## every cargo-deny check, advisories included (fetches the RustSec database)
	$(MAKE) policy-tools
	$(CARGO_DENY) deny check

release-reproducible: ## build HEAD twice from different directories and compare the SHA256SUMS
	bash scripts/release-reproducible.sh $(FIRST_DIST)

# The fault-injection suite (tests/acc_faults.rs) in full: `acceptance` runs its short scenarios (a few
# fault cycles, lost create answers, Ctrl-C mid-apply, zero timeouts), this adds the on_demand_ cycle
# runs. The seed is printed before and after; FAULT_SEED=<seed> replays a run's faults, FAULT_CYCLES
# changes the number of cycles per client (20) and FAULT_RATE the share of disturbed requests (0.10).
# Each scenario's numbers are collected in FAULT_REPORT.
FAULT_REPORT ?= $(CURDIR)/target/fault-report.txt
fault-test: ## the fault-injection suite: 20 apply/destroy cycles per client behind a faulty proxy and the rest (FAULT_SEED=n replays)
	$(MAKE) tools
	$(MAKE) cloud-if-local
	@seed=$${FAULT_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	 mkdir -p $(dir $(FAULT_REPORT)); : > $(FAULT_REPORT); \
	 echo "fault-test: FAULT_SEED=$$seed"; rc=0; \
	 FAULT_SEED=$$seed FAULT_REPORT=$(FAULT_REPORT) TF_ACC=1 $(CARGO) test -p terraform-provider-scs \
	   --no-fail-fast --test acc_faults -- --include-ignored || rc=$$?; \
	 echo "fault-test report ($(FAULT_REPORT)):"; cat $(FAULT_REPORT); \
	 echo "fault-test: FAULT_SEED=$$seed (set it to replay these faults); $$([ $$rc = 0 ] && echo passed || echo FAILED)"; \
	 exit $$rc

# Only the bench targets themselves: `cargo bench --workspace` would also build every lib and bin as a
# release libtest bench for nothing.
TFPLUGIN_BENCHES := $(patsubst crates/tfplugin/benches/%.rs,--bench %,$(wildcard crates/tfplugin/benches/*.rs))
STANDARDS_BENCHES := $(patsubst crates/scs-standards/benches/%.rs,--bench %,$(wildcard crates/scs-standards/benches/*.rs))
CLIENT_BENCHES := $(patsubst crates/scs-client/benches/%.rs,--bench %,$(wildcard crates/scs-client/benches/*.rs))

bench: ## micro-benchmarks (divan): value codec, plan pipeline, flavor selection, client request paths; no cloud needed
ifeq ($(strip $(TFPLUGIN_BENCHES)$(STANDARDS_BENCHES)$(CLIENT_BENCHES)),)
	@echo "bench: the project has no benchmarks; nothing measured"
else
ifneq ($(strip $(TFPLUGIN_BENCHES)),)
	$(CARGO) bench -p tfplugin $(TFPLUGIN_BENCHES)
endif
ifneq ($(strip $(STANDARDS_BENCHES)),)
	$(CARGO) bench -p scs-standards $(STANDARDS_BENCHES)
endif
ifneq ($(strip $(CLIENT_BENCHES)),)
	$(CARGO) bench -p scs-client $(CLIENT_BENCHES)
endif
endif

bench-memory: ## provider peak memory and wall clock per tofu phase on OS_CLOUD (creates and removes ~250 objects)
	$(MAKE) tools
	$(MAKE) cloud-if-local
	bash acceptance/bench/provider_memory.sh

# The side-by-side run against terraform-provider-openstack (acceptance/bench/compare.py): both providers
# under the same client on the same cloud, interleaved, REPS repetitions; SCENARIOS picks from quickstart,
# networks, rules, volumes, handshake and state1000 (1,000 resources, slow, only when named). Medians, ratios and
# every sample go to BENCH_COMPARE_OUT.
REPS ?= 3
SCENARIOS ?= quickstart,networks,rules,volumes,handshake
BENCH_CLIENT ?= tofu
BENCH_COMPARE_OUT ?= $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/bench-compare.json
# BENCH_CACHE_AUTH=1: both providers read a clouds.yaml with `cache: {auth: true}` (only this one uses it).
BENCH_CACHE_AUTH ?=
bench-compare: ## scs vs terraform-provider-openstack 3.4.0 on OS_CLOUD: wall time, requests, RSS, CPU, start (REPS=3, SCENARIOS=...)
	$(MAKE) tools
	$(MAKE) cloud-if-local
	$(CARGO) build --release -p terraform-provider-scs --bin terraform-provider-scs
	tpo=$$(bash acceptance/bench/install_tpo.sh); \
	 python3 acceptance/bench/compare.py --reps $(REPS) --scenarios $(SCENARIOS) $(if $(BENCH_CACHE_AUTH),--cache-auth) \
	   --client-bin $(TOOLS_BIN)/$(BENCH_CLIENT) --out $(BENCH_COMPARE_OUT) --openstack "$$tpo" \
	   --scs "$$($(CARGO) metadata --format-version 1 --no-deps | jq -r .target_directory)/release/terraform-provider-scs"

tools: ## install terraform 1.0.3, build tofu 1.12 and the newest terraform into the cache, linked from acceptance/tools/bin; build terraform-provider-openstack 3.4.0 (the migration scenario starts from it)
	$(call LOCKED,tools) bash acceptance/tools/install.sh
	$(call LOCKED,tools) bash acceptance/bench/install_tpo.sh >/dev/null

cloud-up: ## start the local SCS-like test cloud (installs it the first time)
	$(call LOCKED,localcloud) bash $(LOCALCLOUD_DIR)/up.sh

cloud-down: ## stop every process of the local test cloud
	$(call LOCKED,localcloud) bash $(LOCALCLOUD_DIR)/down.sh

cloud-status: ## which local cloud services answer
	bash $(LOCALCLOUD_DIR)/status.sh

cloud-reset: ## wipe the local cloud's data for a clean slate
	$(call LOCKED,localcloud) bash $(LOCALCLOUD_DIR)/reset.sh

cloud-if-local:
ifeq ($(USE_LOCAL_CLOUD),yes)
	$(MAKE) cloud-up
else
	@echo "OS_CLOUD=$(OS_CLOUD): using that cloud, not starting the local one"
endif

# The Kubernetes test bed (acceptance/kube/README.md): a management cluster with Cluster API and the
# Cluster Stack Operator as processes on 127.0.0.1. The binaries are built from the Go module proxy
# once per version into the cache (10-20 minutes the first time); .ci/run builds them in the background.
kube-build: ## build the Kubernetes test bed's binaries into the cache (once per version)
	$(call LOCKED,kube-build) bash $(KUBE_DIR)/build.sh >/dev/null

kube-up: ## start the Kubernetes test bed (builds it the first time); admin kubeconfig in ~/.cache/terraform-provider-scs/kube-bed/
	$(call LOCKED,kube) bash $(KUBE_DIR)/up.sh

kube-down: ## stop every process of the Kubernetes test bed (it starts empty next time)
	$(call LOCKED,kube) bash $(KUBE_DIR)/down.sh

kube-status: ## which processes of the Kubernetes test bed run and answer, with their memory
	bash $(KUBE_DIR)/status.sh

kube-if-local:
ifeq ($(USE_KUBE_BED),yes)
	$(MAKE) kube-up
else
	@echo "TF_ACC_KUBECONFIG=$(TF_ACC_KUBECONFIG): using that cluster, not starting the local test bed"
endif

kube-smoke: ## the chain ClusterStack -> ClusterClass -> Cluster -> workload kubeconfig on the test bed
ifeq ($(USE_KUBE_BED),yes)
	bash $(KUBE_DIR)/smoke.sh
else
	@echo "kube-smoke: TF_ACC_KUBECONFIG is set: the smoke test needs the local test bed: skipped"
endif

# A release as the registries publish it: zips, manifest, SHA256SUMS and its signature in dist/VERSION/.
# The key: RELEASE_GPG_KEY (a key in your keyring) or RELEASE_GPG_KEY_FILE (armored secret key).
release: ## build and sign dist/VERSION/ (VERSION=x.y.z; PLATFORMS=all adds darwin, windows, linux arm64)
	VERSION=$(VERSION) PLATFORMS=$(or $(PLATFORMS),native) bash scripts/release.sh

demo: ## the main job: build the provider, show its schema, apply examples/quickstart (or network) with tofu
	bash scripts/demo.sh up

demo-destroy: ## destroy what `make demo` created
	bash scripts/demo.sh destroy
