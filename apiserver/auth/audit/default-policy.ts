// The audit policy `flotilla up` writes (<data-dir>/audit-policy.yaml, kept once written so it can be edited): who
// changed what, at Request level; reads at Metadata; the components' own polling (leases, node and pod status
// reads, events, health checks, discovery) not at all; Secrets and tokens at Metadata (never more, whatever a rule says).
export const DEFAULT_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
# one line per request, when it is answered
omitStages: ["RequestReceived"]
rules:
  # the control plane's heartbeats and polling
  - level: None
    resources:
      - group: coordination.k8s.io
        resources: ["leases"]
  - level: None
    resources:
      - group: ""
        resources: ["events"]
  - level: None
    userGroups: ["system:nodes"]
    verbs: ["get", "list", "watch"]
  - level: None
    users: ["system:kube-scheduler", "system:kube-controller-manager", "system:flotilla-hollow-nodes"]
    verbs: ["get", "list", "watch"]
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics", "/openapi*", "/api", "/api/*", "/apis", "/apis/*"]
  # credentials: who touched them, never their content
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  # reads: who looked at what
  - level: Metadata
    verbs: ["get", "list", "watch"]
  # changes: who changed what, with what they sent
  - level: Request
`;
