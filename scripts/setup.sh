#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian 12 machine (run as root): Debian packages, npm dependencies, the
# build. Safe to run again: it does only what is missing. `setup.sh deps` stops before the build, `setup.sh build`
# only builds (npm test lints while it builds).
set -euo pipefail
cd "$(dirname "$0")/.."
step=${1:-all}

if [ "$step" != build ]; then

packages=()
command -v etcd >/dev/null 2>&1 || packages+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || packages+=(etcd-client)
# The node runtime: our own containerd driving runc, CNI bridge networking, a local registry and image tools.
command -v containerd >/dev/null 2>&1 || packages+=(containerd)
command -v runc >/dev/null 2>&1 || packages+=(runc)
[ -x /usr/lib/cni/bridge ] || packages+=(containernetworking-plugins)
command -v docker-registry >/dev/null 2>&1 || packages+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || packages+=(skopeo)
command -v umoci >/dev/null 2>&1 || packages+=(umoci)
[ -x /bin/busybox ] || packages+=(busybox-static)
command -v iptables >/dev/null 2>&1 || packages+=(iptables)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
# The service proxy programs nftables and deletes stale UDP conntrack entries.
command -v nft >/dev/null 2>&1 || packages+=(nftables)
command -v conntrack >/dev/null 2>&1 || packages+=(conntrack)
# The acceptance tests drive `kubectl exec -it` through a real terminal.
command -v tmux >/dev/null 2>&1 || packages+=(tmux)
# The official Python client must work against us too; Debian's package is seen by /usr/bin/python3 only (a pyenv
# python3 earlier on PATH doesn't see it), so that is the interpreter asked.
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || packages+=(python3-kubernetes)
# The web dashboard's acceptance tests run in a real browser (headless, driven by playwright-core).
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
if ((${#packages[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${packages[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if ! command -v kubectl >/dev/null 2>&1; then
  echo "setup: warning: kubectl is not on PATH; the kubectl acceptance tests need the real kubectl (1.32)" >&2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
fi

fi
[ "$step" != deps ] || exit 0

echo "setup: building"
# the server side and the dashboard are type-checked side by side (tsc uses one core)
npx tsc -p dashboard &
dashboard_tsc=$!
npx tsc -p .
wait "$dashboard_tsc"
# every built-in kind's type validator compiled ahead of time (scripts/validators.mjs says why)
node scripts/validators.mjs
# flotctl and flotilla bundled into one file each: it starts in half the time (scripts/bundle.mjs says why)
node scripts/bundle.mjs
# The web dashboard the API server serves at /dashboard/, bundled by esbuild (about a second).
node dashboard/build.mjs
