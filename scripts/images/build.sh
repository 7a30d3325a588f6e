#!/usr/bin/env bash
# Builds Flotilla's images from the host's busybox-static (pause:3.9, flotilla/web:v1 and v2, flotilla/tools:v1 and
# latest) and pushes them to a registry reached over plain HTTP. Skips the work when every tag is already there.
# usage: scripts/images/build.sh HOST:PORT [WORKDIR]     (needs umoci, skopeo and a build: npx tsc -p .)
set -euo pipefail
cd "$(dirname "$0")/../.."
registry=${1:?usage: $0 HOST:PORT [WORKDIR]}
work=${2:-}
cleanup=
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/flotilla-images-XXXXXX)
  cleanup=$work
fi
trap '[ -n "$cleanup" ] && rm -rf "$cleanup"' EXIT
node --input-type=module -e '
import { buildAndPushImages } from "./dist/node-agent/runtime/images.js";
const r = await buildAndPushImages({ registry: process.argv[1], workDir: process.argv[2] });
console.log(r.pushed.length ? `pushed ${r.pushed.join(", ")}` : "all images already in the registry");
for (const ref of Object.values(r.refs)) console.log(ref);
' "$registry" "$work"
