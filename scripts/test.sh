#!/usr/bin/env bash
# npm test: install what is missing, build, then run every test (units beside the code, e2e/ on the real stack).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh deps
# lint while building (each uses one core); a lint error fails the run before any test starts (eslint.config.js
# says what is checked)
npx eslint --max-warnings 0 . &
lint=$!
bash scripts/setup.sh build
wait "$lint"
mapfile -t all < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
# Two pools run side by side, each with the longest files first (so neither ends waiting on one of them):
#  - whole clusters on real containers (flotilla up: containerd, the CNI bridge, nftables), the CPU-hungry ones,
#    FLOTILLA_NODE_TEST_CONCURRENCY (2) at a time, then a long API-only file, the upgrade resets (this pool ends
#    earlier otherwise; the kubectl versions moved to the other pool when the multi-node file came);
#  - everything else (units, and API servers with hollow nodes, which mostly wait on controllers' periods),
#    FLOTILLA_TEST_CONCURRENCY (3) at a time.
# Each file starts its own processes on free ports, with its own data dir, pod subnet and service range.
nodes=(dist/e2e/services.test.js dist/e2e/multi-node.test.js dist/e2e/node.test.js dist/e2e/pods-volumes.test.js dist/e2e/supervisor.test.js dist/e2e/pods.test.js
  dist/e2e/chaos.test.js dist/e2e/streams.test.js dist/e2e/statefulset-node.test.js dist/e2e/serviceaccounts-node.test.js
  dist/e2e/node-clients.test.js dist/e2e/upgrade-resets.test.js)
long=(dist/e2e/kubectl-versions.test.js dist/e2e/flotctl-rollout.test.js dist/e2e/jobs.test.js dist/e2e/flotctl-config.test.js dist/e2e/flotctl-get.test.js dist/e2e/flotctl.test.js dist/e2e/drain.test.js
  dist/e2e/flotctl-describe.test.js dist/e2e/embedded-etcd.test.js dist/e2e/crd.test.js dist/e2e/failover.test.js)
# the browser's files once every whole-cluster file is done, side by side, beside the other pool's last files: under
# both pools' load Chromium missed 30-second waits, and whole-cluster files' bridges and veths coming and going made
# it drop or redo navigations (ERR_NETWORK_CHANGED)
last=(dist/e2e/dashboard.test.js dist/e2e/dashboard-auth.test.js)
# the browser on a whole cluster, after those (its own bridge and veths would disturb their navigations): beside the
# other whole-cluster files, four navigations in a row were redone within 22 s in a fresh-clone run
last_node=(dist/e2e/dashboard-node.test.js)
# files whose checks look at the whole machine (every network namespace, veth and shim socket) run alone, afterwards
exclusive=(dist/e2e/runtime/cri.test.js)
pool_a=()
pool_b=()
for f in "${nodes[@]}"; do [ -f "$f" ] && pool_a+=("$f"); done
for f in "${long[@]}"; do [ -f "$f" ] && pool_b+=("$f"); done
for f in "${all[@]}"; do [[ " ${nodes[*]} ${long[*]} ${last[*]} ${last_node[*]} ${exclusive[*]} " == *" $f "* ]] || pool_b+=("$f"); done
if ((${#pool_b[@]} == 0)); then
  echo "no test files found under dist/" >&2
  exit 1
fi
# each run's failures (scripts/failures-reporter.mjs), printed together at the end
failures_dir=$(mktemp -d)
run_pool() { # CONCURRENCY FILES...
  local n=$1
  shift
  node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=./scripts/file-times-reporter.mjs --test-reporter-destination=stdout \
    --test-reporter=./scripts/failures-reporter.mjs --test-reporter-destination="$(mktemp -p "$failures_dir")" \
    --test-timeout=600000 --test-concurrency="$n" "$@"
}
# each run's exit status and the tail of its report: a runner that exits non-zero with no failed test recorded (its own
# crash, say) is named at the end, where CI's excerpt of the output shows it
runs_dir=$(mktemp -d)
ran() { # NAME STATUS LOG
  echo "$2" >"$runs_dir/$1.status"
  { grep -m 10 -A 4 '✖' "$3" || true; echo '...'; tail -n 30 "$3"; } >"$runs_dir/$1.tail"
}
tests_started=$SECONDS
# run NAME CONCURRENCY FILES...: a run whose report goes to stdout and is kept for the end
run() {
  local name=$1 log s=0
  shift
  log=$(mktemp -p "$runs_dir")
  { run_pool "$@" 2>&1 | tee "$log"; } || s=$?
  ran "$name" "$s" "$log"
}
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$failures_dir" "$runs_dir"' EXIT
# The pools side by side; the other pool's report is printed as it goes, the rest once done (reporters writing at
# once would interleave).
pool_a_pid=
if ((${#pool_a[@]})); then
  (run whole-cluster "${FLOTILLA_NODE_TEST_CONCURRENCY:-2}" "${pool_a[@]}" >"$runs_dir/whole-cluster.log"
    echo "# the whole-cluster files took $((SECONDS - tests_started)) s" >>"$runs_dir/whole-cluster.log") &
  pool_a_pid=$!
  pids+=("$pool_a_pid")
fi
(run other "${FLOTILLA_TEST_CONCURRENCY:-3}" "${pool_b[@]}"
  echo "# the other files took $((SECONDS - tests_started)) s (beside the whole-cluster files, after ${tests_started} s of setup and build)") &
pool_b_pid=$!
pids+=("$pool_b_pid")
# The browser's files start once the last whole-cluster file is done (their bridges and veths coming and going made
# Chromium drop navigations), beside whatever is left of the other pool.
[ -z "$pool_a_pid" ] || wait "$pool_a_pid" || true
browser=()
for f in "${last[@]}"; do [ -f "$f" ] && browser+=("$f"); done
browser_node=()
for f in "${last_node[@]}"; do [ -f "$f" ] && browser_node+=("$f"); done
browser_pid=
if ((${#browser[@]} + ${#browser_node[@]})); then
  ( ((${#browser[@]} == 0)) || run browser "${#browser[@]}" "${browser[@]}"
    ((${#browser_node[@]} == 0)) || run browser-node 1 "${browser_node[@]}") >"$runs_dir/browser.log" &
  browser_pid=$!
  pids+=("$browser_pid")
fi
wait "$pool_b_pid" || true
[ -z "$browser_pid" ] || wait "$browser_pid" || true
if [ -n "$pool_a_pid" ]; then
  echo
  echo "# the whole-cluster test files (real containers)"
  cat "$runs_dir/whole-cluster.log"
fi
if [ -n "$browser_pid" ]; then
  echo
  echo "# the browser's test files"
  cat "$runs_dir/browser.log"
fi
for f in "${exclusive[@]}"; do
  [ -f "$f" ] || continue
  run "$(basename "$f" .test.js)" 1 "$f"
done
if [ -n "$(cat "$failures_dir"/* 2>/dev/null)" ]; then
  echo
  echo "# failed tests"
  cat "$failures_dir"/*
fi
status=0
for f in "$runs_dir"/*.status; do
  s=$(cat "$f")
  name=$(basename "$f" .status)
  echo "# $name: exit $s"
  ((s == 0)) || status=$s
  if ((s != 0)) && [ -z "$(cat "$failures_dir"/* 2>/dev/null)" ]; then
    echo "# $name failed with no failed test recorded; its failure lines and its last lines:"
    sed 's/^/#   /' "$runs_dir/$name.tail"
  fi
done
echo "# npm test took ${SECONDS} s"
exit "$status"
