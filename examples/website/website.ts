// The Website kind as the controller sees it, and the three objects one Website asks for: a ConfigMap with its
// page, a Deployment whose pods serve that ConfigMap with busybox's httpd, and a Service in front of them. Pure
// functions of the Website, so every reconcile states the same desire and createOrUpdate writes only on a change.
import { createHash } from 'node:crypto';
import { customKind, type ConfigMap, type Condition, type CustomObject, type Deployment, type Service } from '../../lib/client/index.js';

export interface WebsiteSpec {
  image: string;
  replicas?: number;
  html: string;
  port?: number;
}

export interface WebsiteStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  url?: string;
  conditions?: Condition[];
}

export type Website = CustomObject<WebsiteSpec, WebsiteStatus>;

export const WEBSITES = customKind<Website>({ group: 'sites.example.com', version: 'v1', kind: 'Website', plural: 'websites' });

/** The label every object of one site carries (and the Deployment's selector). */
export const SITE_LABEL = 'sites.example.com/name';
const CONTENT_HASH = 'sites.example.com/content-hash';

const labels = (w: Website): Record<string, string> => ({ 'app.kubernetes.io/name': 'website', [SITE_LABEL]: w.metadata.name as string });
const portOf = (w: Website): number => w.spec?.port ?? 8080;
export const contentName = (w: Website): string => `${w.metadata.name}-content`;

export function desiredConfigMap(w: Website): ConfigMap {
  return { metadata: { name: contentName(w), namespace: w.metadata.namespace, labels: labels(w) }, data: { 'index.html': w.spec?.html ?? '' } };
}

export function desiredDeployment(w: Website): Deployment {
  const port = portOf(w);
  // a changed page changes the pod template's annotation, so it rolls out as a new ReplicaSet (a ConfigMap volume
  // alone would be refreshed in place, late and without a rollout to watch)
  const hash = createHash('sha256').update(w.spec?.html ?? '').digest('hex').slice(0, 16);
  return {
    metadata: { name: w.metadata.name, namespace: w.metadata.namespace, labels: labels(w) },
    spec: {
      replicas: w.spec?.replicas ?? 1,
      selector: { matchLabels: { [SITE_LABEL]: w.metadata.name as string } },
      template: {
        metadata: { labels: labels(w), annotations: { [CONTENT_HASH]: hash } },
        spec: {
          containers: [{
            name: 'web',
            image: w.spec?.image ?? '',
            // httpd in the background so the shell (PID 1) can stop it on SIGTERM: PID 1 ignores signals it has no handler for
            command: ['sh', '-c', `httpd -f -p ${port} -h /www & trap 'kill $!; exit 0' TERM INT; wait`],
            ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
            volumeMounts: [{ name: 'content', mountPath: '/www', readOnly: true }],
            readinessProbe: { httpGet: { path: '/', port }, periodSeconds: 2 },
          }],
          volumes: [{ name: 'content', configMap: { name: contentName(w) } }],
        },
      },
    },
  };
}

export function desiredService(w: Website): Service {
  const port = portOf(w);
  return {
    metadata: { name: w.metadata.name, namespace: w.metadata.namespace, labels: labels(w) },
    spec: { type: 'ClusterIP', selector: { [SITE_LABEL]: w.metadata.name as string }, ports: [{ name: 'http', protocol: 'TCP', port, targetPort: port }] },
  };
}

/** Where the site answers inside the cluster (the Service's DNS name). */
export const urlOf = (w: Website): string => `http://${w.metadata.name}.${w.metadata.namespace}.svc.cluster.local:${portOf(w)}`;
