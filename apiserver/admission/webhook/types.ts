// The vocabulary of admission webhooks: one write as admission sees it (Kubernetes' admission.Attributes) and one
// webhook of a configuration, read once per configuration change (source.ts), not per request.
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { LabelSelectorParsed } from '../../../lib/api/selectors/index.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { UserInfo } from '../../auth/index.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** One write as the admission chain sees it. */
export interface AdmissionAttributes {
  kind: Pick<KindInfo, 'group' | 'version' | 'kind' | 'resource' | 'namespaced'>;
  /** '' for the resource itself, `status` for /status... */
  subresource: string;
  /** The kind of `object` when it is not the resource's (CONNECT: PodExecOptions, PodAttachOptions...). */
  objectKind?: { group: string; version: string; kind: string };
  operation: Operation;
  name: string;
  /** '' for cluster-scoped objects; a Namespace's own name for a Namespace (as Kubernetes sets it). */
  namespace: string;
  /** The new object: unset for DELETE. Mutating webhooks' patches replace it. */
  object?: KubeObject;
  /** The stored object: UPDATE and (for validating webhooks) DELETE. */
  oldObject?: KubeObject;
  dryRun: boolean;
  /** CreateOptions, UpdateOptions or DeleteOptions (meta.k8s.io/v1), as the AdmissionReview's `options`. */
  options?: Record<string, unknown>;
  user?: UserInfo;
  /** Where webhooks' warnings go (the response's Warning headers). */
  warnings: string[];
}

export interface RuleWithOperations {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: string;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port: number;
}

export interface ClientConfig {
  url?: string;
  service?: ServiceReference;
  /** PEM, decoded from the configuration's base64; '' for the system roots. */
  caBundle: string;
}

/** One webhook of a configuration, defaults applied and selectors parsed. */
export interface Webhook {
  name: string;
  /** The configuration it is in. */
  configuration: string;
  /** Unique across configurations (configuration/index): reinvocation keys on it. */
  uid: string;
  clientConfig: ClientConfig;
  rules: RuleWithOperations[];
  failurePolicy: 'Fail' | 'Ignore';
  matchPolicy: 'Exact' | 'Equivalent';
  /** undefined: the selector does not parse (cannot happen for a validated object; matched as nothing). */
  namespaceSelector: LabelSelectorParsed | undefined;
  objectSelector: LabelSelectorParsed | undefined;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  reinvocationPolicy: 'Never' | 'IfNeeded';
}
