#!/usr/bin/env bash
# npm start: install what is missing, build, bring up a local one-node cluster under ./.flotilla (flotilla up) and
# apply the demo app. The cluster keeps running in the background; `npx flotilla down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA_DIR="${FLOTILLA_DATA_DIR:-./.flotilla}"
node bin/flotilla.js up --data-dir "$DATA_DIR" ${FLOTILLA_HOLLOW_NODES:+--hollow-nodes "$FLOTILLA_HOLLOW_NODES"}
export KUBECONFIG="$DATA_DIR/kubeconfig"
# The registry may not be on 5000 (taken by another cluster): the demo's images then name the port it got.
REGISTRY="127.0.0.1:$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).registryPort)' "$DATA_DIR/cluster.json")"
for f in manifests/demo/*.yaml; do sed "s|127.0.0.1:5000/|$REGISTRY/|g" "$f"; echo ---; done | kubectl apply -f -
kubectl rollout status deployment/web --timeout=180s
kubectl get pods -o wide
cat <<MSG

The demo app runs: three busybox httpd pods, each answering on its pod IP.
  export KUBECONFIG=$DATA_DIR/kubeconfig
  curl http://\$(kubectl get pod -l app=web -o jsonpath='{.items[0].status.podIP}'):8080/
  kubectl logs deploy/web
  kubectl exec -it deploy/web -- sh
  kubectl set image deployment/web web=$REGISTRY/flotilla/web:v2 && kubectl rollout status deployment/web
Stop everything with: npx flotilla down   (state stays in $DATA_DIR for the next start)
MSG
