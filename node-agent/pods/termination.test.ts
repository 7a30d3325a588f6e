// Termination messages: the file the container wrote (capped), else - with FallbackToLogsOnError and a failure -
// the end of its log; the runtime's own message in front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStatus } from '../cri/types.js';
import { ANNOTATION_TERMINATION_LOG, ANNOTATION_TERMINATION_POLICY, TerminationMessages, logTail, newTerminationLog } from './termination.js';

function status(o: Partial<ContainerStatus>): ContainerStatus {
  return { id: 'c1', metadata: null, state: 'CONTAINER_EXITED', createdAt: 1, startedAt: 1, finishedAt: 2, exitCode: 1, image: null, imageRef: '', reason: 'Error', message: '', labels: {}, annotations: {}, mounts: [], logPath: '', ...o };
}

test('the termination file, at most 4096 bytes; the log tail as fallback on error only', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-term-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = newTerminationLog(dir, 'uid', 'app');
  writeFileSync(file, 'x'.repeat(5000));
  const m = new TerminationMessages();
  assert.equal(m.of(status({ id: 'a', annotations: { [ANNOTATION_TERMINATION_LOG]: file } })).length, 4096);
  const log = join(dir, 'log');
  const lines = Array.from({ length: 100 }, (_, i) => `2024-01-01T00:00:00.000000000Z stdout F line ${i}`);
  writeFileSync(log, `${lines.join('\n')}\n2024-01-01T00:00:00.000000000Z stderr P part\n2024-01-01T00:00:00.000000000Z stderr F ial\n`);
  const empty = newTerminationLog(dir, 'uid', 'app');
  const fallback = { [ANNOTATION_TERMINATION_LOG]: empty, [ANNOTATION_TERMINATION_POLICY]: 'FallbackToLogsOnError' };
  const tail = m.of(status({ id: 'b', annotations: fallback, logPath: log }));
  assert.ok(tail.endsWith('line 99\npartial\n'), tail.slice(-40));
  assert.equal(tail.split('\n').length - 1, 80, 'the last 80 lines');
  assert.equal(m.of(status({ id: 'c', annotations: fallback, logPath: log, exitCode: 0, reason: 'Completed' })), '', 'not on success');
  assert.equal(m.of(status({ id: 'd', annotations: { [ANNOTATION_TERMINATION_LOG]: empty }, logPath: log })), '', 'not with policy File');
  assert.equal(m.of(status({ id: 'e', message: 'OOMKilled by the kernel', annotations: { [ANNOTATION_TERMINATION_LOG]: file } })).slice(0, 26), 'OOMKilled by the kernel: x');
  writeFileSync(log, `${Array.from({ length: 50 }, () => `2024-01-01T00:00:00Z stdout F ${'y'.repeat(100)}`).join('\n')}\n`);
  assert.equal(Buffer.byteLength(logTail(log)), 2048, 'at most 2 KiB');
});
