#!/usr/bin/env bash
# npm start: install what is missing, build, start a local control plane (embedded etcd + API server) under
# ./.flotilla, apply the demo manifests, and keep running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA_DIR="${FLOTILLA_DATA_DIR:-./.flotilla}"
mkdir -p "$DATA_DIR"
node bin/flotilla.js apiserver --data-dir "$DATA_DIR" &
api=$!
trap 'kill -TERM $api 2>/dev/null; wait $api 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 300); do
  if curl -fsS http://127.0.0.1:6443/readyz >/dev/null 2>&1; then break; fi
  if ! kill -0 $api 2>/dev/null; then echo "start: the API server exited; see the log above" >&2; exit 1; fi
  sleep 0.2
done
export KUBECONFIG="$DATA_DIR/kubeconfig"
kubectl apply -f manifests/demo/
cat <<MSG

Flotilla's API server is up at http://127.0.0.1:6443 (state in $DATA_DIR).
Try:
  export KUBECONFIG=$DATA_DIR/kubeconfig
  kubectl get all
  kubectl get deploy web -o yaml
  kubectl scale deploy web --replicas=5
  kubectl explain deployment.spec.strategy
Controllers, the scheduler and node agents come in later releases: the demo Deployment is stored and served, not
yet run. Ctrl-C stops the server (state is kept for the next start).
MSG
wait $api
