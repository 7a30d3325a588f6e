import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE, base64url, execUrl, exitOf, frame, parseFrame, protocols, resizeFrame } from './channel.js';

test('the token rides as the base64url bearer subprotocol, after the channel protocols', () => {
  assert.deepEqual(protocols(), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig+/=';
  const p = protocols(token);
  assert.equal(p.length, 3);
  assert.equal(p[2], `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`);
  assert.match(p[2] as string, /^[A-Za-z0-9._-]+$/, 'only characters a subprotocol may hold');
  assert.equal(base64url('ü'), Buffer.from('ü').toString('base64url'));
});

test('exec URL: the command, the container, stdin/stdout and a terminal (no separate stderr with a tty)', () => {
  const u = new URL(execUrl('https://api.example:6443', 'team a', 'web-1', 'web', ['sh', '-c', 'exec sh']));
  assert.equal(u.protocol, 'wss:');
  assert.equal(u.pathname, '/api/v1/namespaces/team%20a/pods/web-1/exec');
  assert.deepEqual(u.searchParams.getAll('command'), ['sh', '-c', 'exec sh']);
  assert.equal(u.searchParams.get('tty'), 'true');
  assert.equal(u.searchParams.get('stderr'), null);
  assert.equal(new URL(execUrl('http://127.0.0.1:1', 'd', 'p', 'c', ['sh'])).protocol, 'ws:');
});

test('frames: channel byte first; resize is JSON Width/Height on channel 4; the exit status on channel 3', () => {
  assert.deepEqual([...frame(0, 'ls\r')], [0, 108, 115, 13]);
  const r = resizeFrame(120, 40);
  assert.equal(r[0], 4);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(r.subarray(1))), { Width: 120, Height: 40 });
  assert.deepEqual([...frame(CLOSE, new Uint8Array([0]))], [255, 0]);
  const f = parseFrame(new Uint8Array([1, 104, 105]).buffer);
  assert.equal(f.channel, 1);
  assert.equal(new TextDecoder().decode(f.data), 'hi');
  assert.deepEqual(exitOf('{"metadata":{},"status":"Success"}'), { code: 0 });
  assert.deepEqual(exitOf(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: 7', details: { causes: [{ reason: 'ExitCode', message: '7' }] } })), { code: 7, message: 'command terminated with non-zero exit code: 7' });
  assert.equal(exitOf('garbage').code, -1);
});
