#!/usr/bin/env bash
# npm run fuzz: the fuzz tests with far more cases than `npm test` runs (there: a few hundred per property, fixed
# seed). FUZZ_RUNS is the number of cases per property (the e2e fuzz sends that many requests to a real API
# server); FUZZ_SEED picks the run (default: a fresh seed, printed, so a failure can be replayed exactly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FUZZ_RUNS="${FUZZ_RUNS:-3000}"
export FUZZ_SEED="${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
echo "fuzz: FUZZ_RUNS=$FUZZ_RUNS FUZZ_SEED=$FUZZ_SEED (run again with both set to replay a failure)"
mapfile -t files < <(find dist -name '*.fuzz.test.js' -not -path '*/node_modules/*' | sort)
files+=(dist/e2e/fuzz.test.js)
exec node --test --test-reporter=spec --test-timeout=0 "${files[@]}"
