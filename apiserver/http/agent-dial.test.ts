// Agent connections on loopback TLS servers: the agent's certificate is checked, and the next connection to the same
// agent (dialled, or a request) resumes the last one's session; a refused agent leaves no ticket; new credentials
// start over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { createCA, issue } from '../auth/pki.js';
import { agentRequest, agentSessions, configureAgentTls, dialAgent, type AgentTls } from './agent-dial.js';

let good: Server;
let forged: Server;
let credentials: AgentTls;
const addr = (s: Server) => `127.0.0.1:${(s.address() as AddressInfo).port}`;
const port = (s: Server) => (s.address() as AddressInfo).port;

before(async () => {
  const ca = await createCA('test-ca');
  const other = await createCA('other-ca');
  const start = (cert: { cert: string; key: string }) => new Promise<Server>((resolve) => {
    // an agent, as node-agent/server checks its caller: whether the client certificate checked out, and its name
    const s = createServer({ ...cert, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, (sock) => {
      const who = `${sock.authorized} ${sock.getPeerCertificate().subject?.CN}`;
      sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${who.length}\r\nConnection: close\r\n\r\n${who}`));
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  good = await start(await issue(ca, { commonName: 'agent', usage: 'server', ipAddresses: ['127.0.0.1'] }));
  forged = await start(await issue(other, { commonName: 'agent', usage: 'server', ipAddresses: ['127.0.0.1'] }));
  credentials = { ca: ca.cert, ...(await issue(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' })) };
  configureAgentTls(credentials);
});
after(() => {
  good.close();
  forged.close();
});

const CALLER = 'true kube-apiserver-kubelet-client';

/**
 * Dials, asks, reads the answer to its end (the ticket has come by then); whether the session was resumed. The agent
 * knows the caller by its certificate on a resumed session too.
 */
async function dial(s: Server): Promise<boolean> {
  const sock: TLSSocket = await dialAgent('127.0.0.1', port(s), 5000);
  const reused = sock.isSessionReused();
  sock.write('GET / HTTP/1.1\r\n\r\n');
  let answer = '';
  for await (const d of sock) answer += String(d);
  assert.ok(answer.endsWith(`\r\n\r\n${CALLER}`), answer);
  return reused;
}

function request(s: Server): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let reused = false;
    const req = agentRequest({ host: '127.0.0.1', port: port(s), path: '/stats/summary', method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => (body === CALLER ? resolve(reused) : reject(new Error(`the agent saw ${body}`))));
    });
    req.once('socket', (sock) => sock.once('secureConnect', () => (reused = (sock as TLSSocket).isSessionReused())));
    req.on('error', reject);
    req.end();
  });
}

test('the next connection to an agent, dialled or a request, resumes the last one\'s session', async () => {
  assert.equal(await dial(good), false);
  assert.deepEqual(agentSessions(), [addr(good)]);
  assert.equal(await dial(good), true);
  assert.equal(await request(good), true);
  assert.equal(await dial(good), true);
});

test('an agent whose certificate another CA signed is refused, and no ticket of it is kept', async () => {
  await assert.rejects(dialAgent('127.0.0.1', port(forged), 5000), /self[- ]signed|unable to (get|verify)/i);
  await assert.rejects(request(forged));
  assert.ok(!agentSessions().includes(addr(forged)), agentSessions().join(', '));
});

test('credentials set again: every ticket goes, the next connection is a full handshake', async () => {
  assert.equal(await dial(good), true);
  configureAgentTls(credentials);
  assert.deepEqual(agentSessions(), []);
  assert.equal(await dial(good), false);
});
