// Container mounts from volumeMounts: read-only rules, propagation, subPath (resolved once, kept inside the volume),
// subPathExpr from the environment, and the hosts and termination-log files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePayload } from './atomic-writer.js';
import type { PodVolume } from './manager.js';
import { containerMounts } from './mounts.js';

test('mounts: readOnly as asked or as the volume requires; propagation; a subPath into a configMap binds the version current now', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-mounts-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const cfg = join(root, 'cfg');
  writePayload(cfg, new Map([['app.conf', { data: Buffer.from('v1'), mode: 0o644 }]]));
  const data = join(root, 'data');
  mkdirSync(data);
  const volumes = new Map<string, PodVolume>([
    ['cfg', { name: 'cfg', hostPath: cfg, readOnly: true, managed: true }],
    ['data', { name: 'data', hostPath: data, readOnly: false, managed: false }],
  ]);
  const mounts = containerMounts({
    name: 'app', image: 'x', terminationMessagePath: '/dev/termination-log',
    volumeMounts: [
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      { name: 'data', mountPath: '/data', mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/ro', readOnly: true },
      { name: 'data', mountPath: '/mine', subPathExpr: '$(POD_NAME)/logs' },
    ],
  }, volumes, new Map([['POD_NAME', 'web-1']]), { hostsFile: join(root, 'hosts'), terminationLog: join(root, 'tlog') });
  const by = Object.fromEntries(mounts.map((m) => [m.containerPath, m]));
  assert.equal(by['/etc/app']!.readonly, true);
  assert.equal(by['/etc/app']!.hostPath, cfg);
  assert.equal(by['/data']!.propagation, 'PROPAGATION_HOST_TO_CONTAINER');
  assert.equal(by['/data']!.readonly, false);
  assert.equal(by['/ro']!.readonly, true);
  assert.equal(by['/mine']!.hostPath, join(data, 'web-1/logs'), 'created for the mount');
  assert.equal(by['/etc/hosts']!.hostPath, join(root, 'hosts'));
  assert.equal(by['/dev/termination-log']!.hostPath, join(root, 'tlog'));
  // the subPath is the file of the version current when the container was created: an update leaves it as it was
  const bound = by['/etc/app.conf']!.hostPath;
  assert.match(bound, /\/\.\.\d{4}_.*\/app\.conf$/);
  writePayload(cfg, new Map([['app.conf', { data: Buffer.from('v2'), mode: 0o644 }]]));
  assert.equal(readFileSync(join(cfg, 'app.conf'), 'utf8'), 'v2');
  assert.notEqual(containerMounts({ name: 'a', image: 'x', volumeMounts: [{ name: 'cfg', mountPath: '/c', subPath: 'app.conf' }] }, volumes, new Map())[0]!.hostPath, bound);
});

test('subPaths that leave the volume, absolute ones and unknown volumes are config errors', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-mounts-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const vol = join(root, 'vol');
  mkdirSync(vol);
  symlinkSync('/etc', join(vol, 'escape'));
  const volumes = new Map<string, PodVolume>([['v', { name: 'v', hostPath: vol, readOnly: false, managed: false }]]);
  const mount = (vm: Record<string, unknown>, env = new Map<string, string>()) => containerMounts({ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/m', ...vm }] }, volumes, env);
  assert.throws(() => mount({ subPath: 'escape' }), /subpath "escape" not within volume path/);
  assert.throws(() => mount({ subPath: '../x' }), /must not contain '\.\.'/);
  assert.throws(() => mount({ subPathExpr: '$(P)' }, new Map([['P', '/abs']])), /must be a relative path/);
  assert.throws(() => containerMounts({ name: 'c', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/m' }] }, volumes, new Map()), /cannot find volume "nope"/);
  assert.deepEqual(containerMounts({ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/etc/hosts' }] }, volumes, new Map(), { hostsFile: '/x' }).map((m) => m.containerPath), ['/etc/hosts'], 'a container mounting its own /etc/hosts keeps it');
});
