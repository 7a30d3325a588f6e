// HorizontalPodAutoscalers (autoscaling/v2, and autoscaling/v1 served from the same objects): the podautoscaler
// controller (controllers/podautoscaler/) keeps the target's scale between minReplicas and maxReplicas from the
// metrics and writes the status. `kubectl get hpa` prints TARGETS as kubectl 1.27-1.33 do (`cpu: 45%/50%`).
import { quantityText } from '../../../lib/api/quantity.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age, type Cell, type Printer } from '../../printers/columns.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';
import { v1ToV2, v2ToV1 } from './horizontalpodautoscalers-conversion.js';
import { defaultHPA, validateHPA } from './horizontalpodautoscalers-validation.js';

type Obj = Record<string, unknown>;
const V2 = identity('autoscaling/v2', 'HorizontalPodAutoscaler');
const V1 = identity('autoscaling/v1', 'HorizontalPodAutoscaler');

const SOURCE_FIELD: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

/** One metric as kubectl's formatHPAMetrics prints it: `current/target`, `<unknown>` until the status has a value. */
function formatMetric(spec: Obj, status: Obj | undefined): string {
  const field = SOURCE_FIELD[String(spec.type)];
  if (!field) return '<unknown type>';
  const src = (spec[field] ?? {}) as Obj;
  const target = (src.target ?? {}) as Obj;
  const cur = ((status?.[field] as Obj | undefined)?.current ?? undefined) as Obj | undefined;
  const curSet = status?.[field] !== undefined && status?.[field] !== null;
  const q = (v: unknown): string => quantityText(v);
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const name = String(src.name ?? '');
      if (target.averageValue !== undefined) return `${name}: ${curSet ? q(cur?.averageValue ?? '0') : '<unknown>'}/${q(target.averageValue)}`;
      const now = curSet && typeof cur?.averageUtilization === 'number' ? `${cur.averageUtilization}%` : '<unknown>';
      const want = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${name}: ${now}/${want}`;
    }
    case 'External':
    case 'Object':
      if (target.averageValue !== undefined) return `${curSet ? q(cur?.averageValue ?? '0') : '<unknown>'}/${q(target.averageValue)} (avg)`;
      return `${curSet ? q(cur?.value ?? '0') : '<unknown>'}/${q(target.value)}`;
    default: // Pods
      return `${curSet ? q(cur?.averageValue ?? '0') : '<unknown>'}/${q(target.averageValue)}`;
  }
}

export function formatTargets(o: KubeObject): string {
  const specs = (o.spec?.metrics ?? []) as Obj[];
  if (!specs.length) return '<none>';
  const statuses = (o.status?.currentMetrics ?? []) as Obj[];
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

function row(o: KubeObject, now: Date): Cell[] {
  const ref = (o.spec?.scaleTargetRef ?? {}) as Obj;
  const min = o.spec?.minReplicas;
  return [o.metadata.name ?? '', `${String(ref.kind ?? '')}/${String(ref.name ?? '')}`, formatTargets(o), typeof min === 'number' ? String(min) : '<unset>',
    o.spec?.maxReplicas ?? 0, o.status?.currentReplicas ?? 0, age(o.metadata.creationTimestamp, now)];
}

const printer = (toV2: (o: KubeObject) => KubeObject): Printer => ({
  columns: [NAME, ['Reference', 'string', 0, 'The target resource to scale.'], ['Targets', 'string', 0, 'The current and target values of the metrics.'],
    ['MinPods', 'string', 0, 'Lower limit of the replicas.'], ['MaxPods', 'integer', 0, 'Upper limit of the replicas.'],
    ['Replicas', 'integer', 0, 'Current number of replicas of the target.'], AGE],
  row: (o, now) => row(toV2(o), now),
});

const v2 = defineKind(V2, {
  generation: true,
  defaults: defaultHPA,
  prepareForCreate(obj) {
    obj.status = { desiredReplicas: 0 };
  },
  validate: validateHPA,
  printer: printer((o) => o),
  subresources: { status: statusSubresource() },
});

const v1 = defineKind(V1, {
  generation: true,
  printer: printer(v1ToV2),
  subresources: { status: statusSubresource() },
  convert: { storage: V2, toStorage: v1ToV2, fromStorage: v2ToV1 },
});

export default [v2, v1];
