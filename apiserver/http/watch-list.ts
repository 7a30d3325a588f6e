// The bookmark that ends the initial events of a watch-list request (sendInitialEvents=true): Kubernetes 1.32 marks
// it `k8s.io/initial-events-end: "true"` and adds `kubernetes.io/initial-events-list-blueprint`, an empty list of
// the kind in the response's encoding, base64-encoded. client-go 1.32-1.33 builds the result of a typed List served
// through watch-list from it, and refuses a stream whose end bookmark lacks it.
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
export const INITIAL_EVENTS_LIST_BLUEPRINT = 'kubernetes.io/initial-events-list-blueprint';

/** The blueprint of a kind's list: `{"kind":"<Kind>List","apiVersion":...,"metadata":{},"items":[]}`, JSON, base64. */
export function listBlueprint(kind: Pick<KindInfo, 'group' | 'version' | 'kind'>): string {
  const list = { kind: `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata: {}, items: [] };
  return Buffer.from(JSON.stringify(list) + '\n').toString('base64');
}

/** The end-of-initial-events bookmark with the blueprint annotation added (the event itself is left as it was). */
export function withBlueprint(ev: WatchEvent, blueprint: string): WatchEvent {
  const meta = ev.object.metadata;
  const object: KubeObject = { ...ev.object, metadata: { ...meta, annotations: { ...meta.annotations, [INITIAL_EVENTS_LIST_BLUEPRINT]: blueprint } } };
  return { type: ev.type, object };
}
