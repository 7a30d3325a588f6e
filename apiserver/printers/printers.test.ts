import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinKinds } from '../registry/kinds/index.js';
import { buildTable, humanDuration, tableColumns } from './index.js';

const DEFS = await builtinKinds();
const kind = (r: string) => DEFS.find((d) => d.info.resource === r) as (typeof DEFS)[number];

test('ages print like kubectl', () => {
  const s = 1000;
  assert.equal(humanDuration(45 * s), '45s');
  assert.equal(humanDuration(119 * s), '119s');
  assert.equal(humanDuration(5 * 60 * s + 10 * s), '5m10s');
  assert.equal(humanDuration(30 * 60 * s), '30m');
  assert.equal(humanDuration(3 * 3600 * s), '3h');
  assert.equal(humanDuration(5 * 3600 * s + 20 * 60 * s), '5h20m');
  assert.equal(humanDuration(30 * 3600 * s), '30h');
  assert.equal(humanDuration((2 * 24 + 5) * 3600 * s), '2d5h');
  assert.equal(humanDuration(120 * 24 * 3600 * s), '120d');
});

test('pod rows show READY, STATUS and RESTARTS as kubectl does', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const pod = {
    metadata: { name: 'web-1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
    status: { phase: 'Running', podIP: '10.88.0.5', containerStatuses: [
      { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
      { name: 'b', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:09:00Z' } } },
    ] },
  };
  const t = buildTable(kind('pods'), [pod], { now, includeObject: 'Metadata' }) as { rows: Array<{ cells: unknown[]; object: { kind: string } }> };
  assert.deepEqual(t.rows[0]?.cells.slice(0, 7), ['web-1', '1/2', 'CrashLoopBackOff', '3 (60s ago)', '10m', '10.88.0.5', 'n1']);
  assert.equal(t.rows[0]?.object.kind, 'PartialObjectMetadata');
  const terminating = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:10:00Z' } };
  assert.equal((buildTable(kind('pods'), [terminating], { now, includeObject: 'None' }) as { rows: Array<{ cells: unknown[] }> }).rows[0]?.cells[2], 'Terminating');
});

test('deployment columns match kubectl, wide ones at priority 1', () => {
  const cols = tableColumns(kind('deployments').printer);
  assert.deepEqual(cols.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(cols.filter((c) => c.priority === 1).map((c) => c.name), ['Containers', 'Images', 'Selector']);
  const d = { metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  const t = buildTable(kind('deployments'), [d], { now: new Date('2026-01-01T00:00:30Z'), includeObject: 'None' }) as { rows: Array<{ cells: unknown[] }> };
  assert.deepEqual(t.rows[0]?.cells, ['web', '2/3', 3, 2, '30s', 'web', 'web:1', 'app=web']);
});
