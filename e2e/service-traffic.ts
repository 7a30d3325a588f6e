// What the Service tests do to reach Services on a whole local cluster: wait for the node agent's nftables rule
// before connecting (a ClusterIP reached before it exists would leave through the default route), ask from the host
// or from inside a pod (by address, or by name through the cluster DNS), and a paced HTTP load from a child process.
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import type { Json, UpCluster } from './up-cluster.js';

/** The helpers bound to one cluster and its node agent's proxy table (`flotilla-proxy-<instance>`). */
export function serviceTraffic(c: UpCluster, proxyTable: string, untilMs = 90_000) {
  const until = <T>(what: string, fn: () => T | undefined | false): Promise<T> => c.until(what, fn, untilMs);
  const ok = (args: string[]) => c.ok(args);
  const kubectl = (args: string[]) => c.kubectl(args);

  /** The node agent's proxy table as nft prints it ('' when there is none). */
  function nftTable(family: string, table: string): string {
    const r = spawnSync('nft', ['list', 'table', family, table], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  }

  /** Waits until the proxy table holds a rule for ip:port: only then may anything connect to it. */
  async function ruleInstalled(ip: string, port: number): Promise<void> {
    // nft prints a verdict map element as `10.96.3.4 . tcp . 80 : goto svc-...`
    await until(`the nftables rule for ${ip}:${port} in ${proxyTable}`, () => nftTable('ip', proxyTable).includes(`${ip} . tcp . ${port} : goto `));
  }

  /** Waits until the proxy table sends udp or tcp ip:port somewhere. */
  async function ruleInstalledFor(ip: string, protocol: 'udp' | 'tcp', port: number): Promise<void> {
    await until(`the nftables rule for ${ip}:${port}/${protocol} in ${proxyTable}`, () => nftTable('ip', proxyTable).includes(`${ip} . ${protocol} . ${port} : goto `));
  }

  /** Which pod answers `GET /` at ip:port, asked from the host. */
  function askFromHost(ip: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ host: ip, port, path: '/', timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(/pod: ([\w.-]+)/.exec(body)?.[1] ?? body));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${ip}:${port} in 5 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Pods (by name) named in n answers to `GET /` sent from inside pod `from` to host:port. */
  function askFromPod(from: string, host: string, port: number, n: number): string[] {
    const script = `i=0; while [ $i -lt ${n} ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}; i=$((i+1)); done`;
    const out = ok(['exec', from, '--', 'sh', '-c', script]);
    return [...out.matchAll(/pod: ([\w.-]+)/g)].map((m) => m[1] as string);
  }

  /** `GET /` from inside pod `from` to ip:port with nc; the answering pod's name, or undefined (refused, dropped, 2 s). */
  function callFromPod(from: string, ip: string, port: number, namespace: string): string | undefined {
    const r = kubectl(['exec', '-n', namespace, from, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} ${port}`]);
    return /pod: ([\w.-]+)/.exec(r.stdout)?.[1];
  }

  /** Resolves `name` with the cluster DNS from inside pod `from` (busybox nslookup), then calls it as callFromPod does. */
  function callByName(from: string, name: string, port: number, namespace: string): { address?: string; answer?: string } {
    const script = `a=$(nslookup ${name} 2>/dev/null | awk '/^Name:/ {n=1} n && /^Address/ {print $2; exit}'); echo "address=$a"; ` +
      `[ -n "$a" ] && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 "$a" ${port}`;
    const r = kubectl(['exec', '-n', namespace, from, '--', 'sh', '-c', script]);
    return { address: /address=(\S+)/.exec(r.stdout)?.[1], answer: /pod: ([\w.-]+)/.exec(r.stdout)?.[1] };
  }

  return { nftTable, ruleInstalled, ruleInstalledFor, askFromHost, askFromPod, callFromPod, callByName };
}

const LOAD_CLIENT = `
import { request } from 'node:http';
const [ip, port, rate] = process.argv.slice(1).map((v, i) => (i ? Number(v) : v));
const start = Date.now();
let total = 0, failed = 0, inflight = 0, stopping = false;
const errors = [], versions = [];
const done = () => { if (stopping && inflight === 0) { process.stdout.write(JSON.stringify({ total, failed, errors, seconds: (Date.now() - start) / 1000, versions }) + '\\n'); process.exit(0); } };
// the local port names the connection in conntrack (where its SYN was sent), for the test's diagnosis
const fail = (m, req) => { failed++; if (errors.length < 10) errors.push(((Date.now() - start) / 1000).toFixed(1) + ' s: ' + m + ' (local port ' + req.socket?.localPort + ')'); };
const one = () => {
  total++; inflight++;
  const req = request({ host: ip, port, path: '/', agent: false, timeout: 10000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => {
      const v = /version: (\\w+)/.exec(body)?.[1];
      if (res.statusCode !== 200 || !v) fail('status ' + res.statusCode + ': ' + body.slice(0, 80), req);
      else if (versions[versions.length - 1] !== v) versions.push(v);
      inflight--; done();
    });
  });
  req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
  req.on('error', (e) => { fail(e.message, req); inflight--; done(); });
  req.end();
};
// paced by the clock, not by the timer: a tick that comes late (a busy machine) sends what is due since the last
const timer = setInterval(() => {
  const due = Math.floor(((Date.now() - start) * rate) / 1000) - total;
  for (let i = 0; i < due && inflight < 50; i++) one();
}, 5);
process.stdin.resume();
process.stdin.on('end', () => { stopping = true; clearInterval(timer); done(); });
`;

export interface LoadResult { total: number; failed: number; errors: string[]; seconds: number; versions: string[] }

export function startLoad(ip: string, port: number, rate: number): { stop: () => Promise<LoadResult> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', LOAD_CLIENT, ip, String(port), String(rate)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin.end();
      await exited;
      return JSON.parse(out) as LoadResult;
    },
  };
}

/** The endpoints (ip:port) that the proxy table's rules send ip:port/tcp to, as nft lists the table. */
export function endpointsInTable(table: string, ip: string, port: number): string[] {
  const chains = new Map<string, string>();
  for (const m of table.matchAll(/chain (\S+) \{([^}]*(?:\{[^}]*\}[^}]*)*)\}/g)) chains.set(m[1] as string, m[2] as string);
  const svc = new RegExp(`${ip.replace(/\./g, '\\.')} \\. tcp \\. ${port} : goto (\\S+?)[,\\s}]`).exec(table)?.[1];
  const body = svc ? chains.get(svc) ?? '' : '';
  return [...body.matchAll(/goto (\S+?)[,\s}]/g)].map((g) => /dnat to (\S+)/.exec(chains.get(g[1] as string) ?? '')?.[1] ?? `?${g[1]}`).sort();
}

/**
 * What a rollout behind a Service went through, for the diagnosis of a failed request: every change of the proxy's
 * endpoints for the Service and of its pods (address, ready, terminating), in seconds since start(); and where the
 * failed connections' SYNs went (conntrack, by their local ports).
 */
export function rolloutRecorder(c: UpCluster, proxyTable: string, ip: string, port: number, selector: string) {
  const began = Date.now();
  const lines: string[] = [];
  const at = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  let lastRules = '';
  const lastPods = new Map<string, string>();
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const r = spawnSync('nft', ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' });
      const rules = endpointsInTable(r.stdout ?? '', ip, port).join(' ');
      if (rules !== lastRules) lines.push(`${at()}: the proxy sends to [${(lastRules = rules)}]`);
      try {
        const pods = await c.podsNow(selector);
        const seen = new Set<string>();
        for (const p of pods) {
          const name = p.metadata.name as string;
          seen.add(name);
          const ready = (p.status?.conditions as Json[] | undefined)?.find((x) => x.type === 'Ready')?.status === 'True';
          const now = `${p.status?.podIP ?? 'no IP'} ${p.status?.phase}${ready ? ' ready' : ''}${p.metadata.deletionTimestamp ? ' terminating' : ''}`;
          if (lastPods.get(name) !== now) lines.push(`${at()}: pod ${name} ${now}`);
          lastPods.set(name, now);
        }
        for (const name of [...lastPods.keys()].filter((n) => !seen.has(n))) {
          lines.push(`${at()}: pod ${name} gone`);
          lastPods.delete(name);
        }
      } catch (e) {
        lines.push(`${at()}: ${(e as Error).message}`);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  };
  const polling = poll();
  return {
    /** Stops recording; the timeline, and conntrack's entries for the failed requests' local ports. */
    stop: async (errors: string[]): Promise<string> => {
      stopped = true;
      await polling;
      const flows = errors.map((e) => /local port (\d+)/.exec(e)?.[1]).filter(Boolean).map((p) => {
        const r = spawnSync('conntrack', ['-L', '-p', 'tcp', '--orig-port-src', p as string], { encoding: 'utf8' });
        return `port ${p}: ${(r.stdout || r.stderr).trim() || 'no conntrack entry'}`;
      });
      return [...lines, ...flows].join('\n');
    },
  };
}
