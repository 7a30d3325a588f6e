#!/usr/bin/env bash
# npm test: install what is missing, build, then run every test (units beside the code, e2e/ on the real stack).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# lint first: a lint error fails the run before any test starts (eslint.config.js says what is checked)
npx eslint --max-warnings 0 .
mapfile -t files < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
if ((${#files[@]} == 0)); then
  echo "no test files found under dist/" >&2
  exit 1
fi
exec node --test --test-reporter=spec --test-timeout=600000 "${files[@]}"
