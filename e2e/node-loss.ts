// What the node-loss test and benchmark run on `flotilla up --nodes N`: a web Deployment whose pods tolerate an
// unreachable or not-ready node for only a few seconds (the default is 300 s), so that a lost node's pods move soon.

/** The `web` Deployment (`app: web`, the demo web image answering `pod: NAME` on 8080) as YAML. */
export function movingWebDeployment(registry: string, replicas: number, tolerationSeconds = 2): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      # a short stay on a failed node
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${tolerationSeconds}}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: ${tolerationSeconds}}
      containers:
      - name: web
        image: ${registry}/flotilla/web:v1
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{containerPort: 8080}]
`;
}
