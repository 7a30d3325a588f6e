// Field selectors: `metadata.name=x,status.phase!=Running`, with the field labels Kubernetes supports per kind.
import type { KindInfo } from '../kinds.js';
import type { KubeObject } from '../types.js';
import { SelectorError } from './labels.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelectorParsed = FieldRequirement[];

export function parseFieldSelector(s: string): FieldSelectorParsed {
  const out: FieldRequirement[] = [];
  if (!s.trim()) return out;
  for (const raw of s.split(',')) {
    const term = raw.trim();
    const m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    out.push({ field: m[1] as string, op: m[2] === '!=' ? '!=' : '=', value: (m[3] as string).trim() });
  }
  return out;
}

export function matchesFields(sel: FieldSelectorParsed, fields: Record<string, string>): boolean {
  return sel.every((r) => ((fields[r.field] ?? '') === r.value) === (r.op === '='));
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The field labels Kubernetes supports for each kind, with their values for one object. */
export function fieldsOf(kind: Pick<KindInfo, 'resource' | 'namespaced'>, obj: KubeObject): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': str(obj.metadata.name) };
  if (kind.namespaced) f['metadata.namespace'] = str(obj.metadata.namespace);
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  switch (kind.resource) {
    case 'pods':
      f['spec.nodeName'] = str(spec.nodeName);
      f['spec.restartPolicy'] = str(spec.restartPolicy);
      f['spec.schedulerName'] = str(spec.schedulerName);
      f['spec.serviceAccountName'] = str(spec.serviceAccountName);
      f['spec.hostNetwork'] = String(spec.hostNetwork === true);
      f['status.phase'] = str(status.phase);
      f['status.podIP'] = str(status.podIP);
      f['status.nominatedNodeName'] = str(status.nominatedNodeName);
      break;
    case 'events': {
      const io = (obj.involvedObject ?? {}) as Record<string, unknown>;
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(io[k]);
      f.reason = str(obj.reason);
      f.reportingComponent = str(obj.reportingComponent);
      f.source = str((obj.source as { component?: string } | undefined)?.component);
      f.type = str(obj.type);
      break;
    }
    case 'secrets':
      f.type = str(obj.type);
      break;
    case 'nodes':
      f['spec.unschedulable'] = String(spec.unschedulable === true);
      break;
    case 'namespaces':
      f['status.phase'] = str(status.phase);
      break;
    case 'replicasets':
      f['status.replicas'] = str(status.replicas ?? 0);
      break;
  }
  return f;
}

const SAMPLE: KubeObject = { metadata: {} };

export function validateFieldSelector(kind: Pick<KindInfo, 'resource' | 'namespaced'>, sel: FieldSelectorParsed): void {
  const known = fieldsOf(kind, SAMPLE);
  for (const r of sel) {
    if (!(r.field in known) && !(r.field === 'metadata.namespace')) throw new SelectorError(`field label not supported: ${r.field}`);
  }
}
