#!/usr/bin/env bash
# npm run bench: every benchmark, each printing its figures beside its baseline and the conditions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node dist/bench/apiserver.js
echo
node dist/bench/managed-fields.js
echo
node dist/bench/cri.js
echo
node dist/bench/workloads.js
echo
node dist/bench/daemonset.js
echo
node dist/bench/pods.js
echo
node dist/bench/pods-features.js
echo
node dist/bench/proxy.js
echo
node dist/bench/dns.js
echo
node dist/bench/dashboard.js
echo
node dist/bench/flotctl.js
echo
node dist/bench/restart-at-scale.js
echo
node dist/bench/chaos.js
echo
node dist/bench/service-alloc.js
echo
node dist/bench/extensions.js
echo
node dist/bench/compose.js
echo
node dist/bench/nodes.js
