#!/usr/bin/env bash
# npm test: install what is missing, build, then run every test (units beside the code, e2e/ on the real stack).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# lint first: a lint error fails the run before any test starts (eslint.config.js says what is checked)
npx eslint --max-warnings 0 .
mapfile -t all < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
# the longest files first, so the run doesn't end waiting on one of them
heavy=(dist/e2e/services.test.js dist/e2e/node.test.js dist/e2e/chaos.test.js dist/e2e/supervisor.test.js dist/e2e/pods-volumes.test.js dist/e2e/pods.test.js
  dist/e2e/upgrade-resets.test.js dist/e2e/flotctl-rollout.test.js dist/e2e/node-clients.test.js dist/e2e/streams.test.js dist/e2e/statefulset-node.test.js
  dist/e2e/serviceaccounts-node.test.js dist/e2e/dashboard-node.test.js dist/e2e/jobs-node.test.js dist/e2e/jobs.test.js dist/e2e/flotctl-config.test.js
  dist/e2e/flotctl-get.test.js dist/e2e/flotctl.test.js dist/e2e/failover.test.js dist/e2e/kubectl-versions.test.js)
# files whose checks look at the whole machine (every network namespace, veth and shim socket) run alone, afterwards
exclusive=(dist/e2e/runtime/cri.test.js)
files=()
for f in "${heavy[@]}"; do [ -f "$f" ] && files+=("$f"); done
for f in "${all[@]}"; do [[ " ${heavy[*]} ${exclusive[*]} " == *" $f "* ]] || files+=("$f"); done
if ((${#files[@]} == 0)); then
  echo "no test files found under dist/" >&2
  exit 1
fi
# Test files run side by side (each starts its own processes on free ports and its own data dir); 3 at a time keeps
# the 2-core machine busy without starving the real-container tests.
status=0
node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=./scripts/file-times-reporter.mjs --test-reporter-destination=stdout \
  --test-timeout=600000 --test-concurrency="${FLOTILLA_TEST_CONCURRENCY:-3}" "${files[@]}" || status=$?
for f in "${exclusive[@]}"; do
  [ -f "$f" ] || continue
  node --test --test-reporter=spec --test-timeout=600000 "$f" || status=$?
done
exit "$status"
