import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusReport, statusTable } from './status.js';
import { writePid, writeState } from './supervisor/state.js';
import { writeClusterConfig } from './cluster.js';

test('status: a live supervisor\'s components with pid, restarts, uptime and last exit; dead pids are not shown as running', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-status-'));
  try {
    const now = Date.parse('2026-01-01T00:10:00Z');
    // this test process plays the supervisor (its command line must say "supervise": it doesn't, so it counts as not running)
    writePid(dir, 'supervisor', process.pid);
    writeClusterConfig({ dataDir: dir, apiserverPort: 7443, registryPort: 7000, nodeAgentPort: 7250, nodeName: 'n', hollowNodes: 0 });
    writeState(dir, {
      pid: process.pid, startedAt: '2026-01-01T00:00:00Z', dataDir: dir, running: true,
      components: [
        {
          name: 'apiserver', phase: 'running', pid: process.pid, pgid: process.pid, restarts: 2, startedAt: '2026-01-01T00:08:00Z',
          lastExit: { code: null, signal: 'SIGKILL', at: '2026-01-01T00:07:59Z', ranSeconds: 30 },
        },
        {
          name: 'scheduler', phase: 'backoff', restarts: 1, nextStartAt: '2026-01-01T00:10:04Z',
          lastExit: { code: 1, signal: null, at: '2026-01-01T00:09:58Z', ranSeconds: 3 },
        },
      ],
    });
    const r = statusReport(dir, now);
    assert.equal(r.supervisor.state, 'dead', 'the recorded supervisor is not a live "supervise" process');
    assert.deepEqual(r.components.map((c) => [c.name, c.phase, c.pid, c.restarts, c.uptimeSeconds]), [
      ['apiserver', 'running', process.pid, 2, 120],
      ['scheduler', 'stopped', undefined, 1, undefined],
    ]);
    const table = statusTable(r, now);
    assert.match(table, /^Data dir: .*\nAPI server: https:\/\/127\.0\.0\.1:7443 {3}registry: 127\.0\.0\.1:7000 {3}node agent port: 7250\nThe supervisor died/);
    assert.match(table, /\nCOMPONENT\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+LAST EXIT\n/);
    assert.match(table, new RegExp(`\\napiserver\\s+running\\s+${process.pid}\\s+2\\s+2m\\s+SIGKILL, 2m1s ago\\n`));
    assert.match(table, /\nscheduler\s+stopped\s+-\s+1\s+-\s+exit code 1, 2s ago\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
