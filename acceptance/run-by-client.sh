#!/usr/bin/env bash
# Runs the acceptance test files once per client, the clients side by side: one `cargo test` with
# TF_ACC_CLIENTS=<client> for each client named in ACC_CLIENTS.
#
# Why side by side: a scenario spends most of its time waiting for the cloud (a server to boot, a
# volume to attach), not computing, so three clients at once take little longer than one. Each
# scenario names its cloud objects after its client, so the runs share nothing but the cloud.
#
# usage: ACC_CLIENTS="terraform tofu terraform-latest" run-by-client.sh --test acc_network --test ...
# ACC_TESTS_<client> (the client's name with `_` for `-`, e.g. ACC_TESTS_terraform_latest="--test
# acc_install") runs other test files on that client than the arguments name.
# Each client's output goes to $ACC_LOG_DIR/<client>.log (default target/acc-logs) and, line by line
# with the client's name in front, to stdout. Exits non-zero when any client's run failed, and says which.
set -uo pipefail

clients=${ACC_CLIENTS:-terraform tofu}
cargo=${CARGO:-cargo}
log_dir=${ACC_LOG_DIR:-${CARGO_TARGET_DIR:-target}/acc-logs}
mkdir -p "$log_dir"

# Build once, before the runs start, so that they do not wait for each other on cargo's lock.
# `--workspace`, as `make unit-test` builds: the same features, so nothing is compiled again.
"$cargo" test --workspace --no-run "$@" || exit

all_tests=("$@")
pids=()
for client in $clients; do
  override="ACC_TESTS_${client//-/_}"
  if [ -n "${!override:-}" ]; then
    read -r -a tests <<<"${!override}"
  else
    tests=("${all_tests[@]}")
  fi
  (
    start=$(date +%s)
    TF_ACC_CLIENTS=$client "$cargo" test --workspace --no-fail-fast "${tests[@]}" \
      -- --include-ignored --skip on_demand_ >"$log_dir/$client.log" 2>&1
    rc=$?
    echo "$rc $(( $(date +%s) - start ))" >"$log_dir/$client.rc"
    exit $rc
  ) &
  pids+=($!)
  # The client's name on each line of its log as it grows; stops when the run ends.
  tail -n +1 --pid=$! -F "$log_dir/$client.log" 2>/dev/null | sed -u "s/^/[$client] /" &
done

failed=""
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || true
done
wait # the tails
echo
echo "acceptance by client (logs in $log_dir):"
for client in $clients; do
  read -r rc took <"$log_dir/$client.rc" 2>/dev/null || { rc="?"; took="?"; }
  summary=$(grep -E '^test result:' "$log_dir/$client.log" | awk '{p+=$4; f+=$6} END {printf "%d passed, %d failed", p, f}')
  printf '  %-17s %-7s %5ss  %s\n' "$client" "$([ "$rc" = 0 ] && echo ok || echo FAILED)" "$took" "$summary"
  [ "$rc" = 0 ] || failed="$failed $client"
  if [ "$rc" != 0 ]; then
    grep -E '^(---- |test .* FAILED|acceptance scenario .* failed)' "$log_dir/$client.log" | sed "s/^/    /" | head -20
  fi
done
[ -z "$failed" ] || { echo "acceptance failed on:$failed"; exit 1; }
