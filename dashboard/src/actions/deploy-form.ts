// "Deploy an image with N replicas on port P, and expose it": the Deployment (and Service) the form creates, as
// `kubectl create deployment NAME --image=I --replicas=N --port=P` and `kubectl expose` would.
import type { KubeObject } from '../api/types.js';

export interface DeployForm {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  /** 0: no port (and nothing to expose). */
  port: number;
  expose: boolean;
  serviceType: 'ClusterIP' | 'NodePort';
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What is wrong with the form, field by field (empty when it can be submitted). */
export function formErrors(f: DeployForm): Partial<Record<keyof DeployForm, string>> {
  const e: Partial<Record<keyof DeployForm, string>> = {};
  if (!f.name) e.name = 'a name is required';
  else if (f.name.length > 63 || !DNS1123.test(f.name)) e.name = 'lower case letters, digits and "-", starting and ending with a letter or digit, at most 63';
  if (!f.image.trim()) e.image = 'an image is required';
  else if (/\s/.test(f.image.trim())) e.image = 'an image reference has no spaces';
  if (!Number.isInteger(f.replicas) || f.replicas < 0) e.replicas = 'a whole number, 0 or more';
  if (!Number.isInteger(f.port) || f.port < 0 || f.port > 65535) e.port = 'a port between 1 and 65535 (0 for none)';
  if (f.expose && !f.port) e.port = 'exposing needs a port';
  if (!f.namespace) e.namespace = 'pick a namespace';
  return e;
}

export function deploymentOf(f: DeployForm): KubeObject {
  const labels = { app: f.name };
  const container: Record<string, unknown> = { name: f.name.slice(0, 63), image: f.image.trim() };
  if (f.port) container.ports = [{ containerPort: f.port, protocol: 'TCP' }];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: f.name, namespace: f.namespace, labels },
    spec: { replicas: f.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
  };
}

export function serviceOf(f: DeployForm): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: f.name, namespace: f.namespace, labels: { app: f.name } },
    spec: { type: f.serviceType, selector: { app: f.name }, ports: [{ name: `tcp-${f.port}`, port: f.port, targetPort: f.port, protocol: 'TCP' }] },
  };
}

/** The objects to create, in order. */
export const objectsOf = (f: DeployForm): KubeObject[] => (f.expose && f.port ? [deploymentOf(f), serviceOf(f)] : [deploymentOf(f)]);
