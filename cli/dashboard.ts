// `flotilla dashboard`: where the web dashboard is (the API server serves it at /dashboard/) and how to sign in.
// With a token (--token, --token-file, or the kubeconfig user's), it prints a sign-in link that carries the token
// in the URL fragment (`#token=...`): browsers never send the fragment to the server, so it reaches no server or
// proxy log, and the page removes it from the address bar and the history at once, keeping it in that tab only.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { loadKubeConfig, type ClientConfig } from '../lib/client/kubeconfig.js';

export interface DashboardInfo {
  url: string;
  /** The sign-in link (token in the fragment), when there is a token. */
  link?: string;
  lines: string[];
}

/** The dashboard URL of an API server, optionally opened on a namespace. */
export function dashboardUrl(server: string, namespace?: string): string {
  return `${server.replace(/\/+$/, '')}/dashboard/${namespace ? `?ns=${encodeURIComponent(namespace)}` : ''}`;
}

/** The sign-in link: the token in the fragment, never in the path or query the server sees. */
export const signInLink = (url: string, token: string): string => `${url}#token=${encodeURIComponent(token)}`;

/** What to print, given the cluster, the token (if any) and whether the server answered /dashboard/. */
export function describe(cfg: Pick<ClientConfig, 'server' | 'certData'>, token: string | undefined, namespace: string | undefined, served: number | Error): DashboardInfo {
  const url = dashboardUrl(cfg.server, namespace);
  const lines = [`Dashboard: ${url}`];
  if (served instanceof Error) lines.push(`warning: the API server at ${cfg.server} did not answer (${served.message}); is the cluster up? (npx flotilla up)`);
  else if (served === 404) lines.push('warning: this API server has no dashboard to serve: build it with `npm run build` (or bash scripts/setup.sh) and restart it');
  if (token) {
    const link = signInLink(url, token);
    lines.push(
      '',
      'Sign in by opening this link (treat it like the token itself):',
      `  ${link}`,
      'The token rides in the #fragment, which browsers never send to a server; the page takes it out of the',
      'address bar at once and keeps it in that tab only. It works for as long as the token does: for a short-lived',
      'one, use `kubectl create token NAME -n NAMESPACE --duration=15m` and pass it with --token.',
    );
    return { url, link, lines };
  }
  lines.push(
    '',
    'To sign in, paste a bearer token into the page (Sign in, top right). A ServiceAccount token comes from',
    '  kubectl create token NAME -n NAMESPACE',
    'and `flotilla dashboard --token TOKEN` prints a link that signs in with it. The page can do what the token\'s',
    'RBAC rules allow, nothing more.',
  );
  if (cfg.certData) lines.push("A browser page cannot present the kubeconfig's client certificate: `flotilla dashboard --proxy` serves the page on loopback, signed in with it.");
  else lines.push('Without a token the page calls the API anonymously: on a cluster whose API accepts that (Flotilla before authentication), it just works.');
  return { url, lines };
}

/** GETs the dashboard page; the status code, or the error that kept it from answering. */
function probe(url: string, cfg: ClientConfig): Promise<number | Error> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const opts = { method: 'GET', timeout: 5000, ...(u.protocol === 'https:' ? { ca: cfg.caData, rejectUnauthorized: !cfg.insecureSkipTLSVerify } : {}) };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, opts, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve(e));
    req.end();
  });
}

const kubeconfigOf = (given: string | undefined): ClientConfig =>
  loadKubeConfig({ kubeconfig: given ?? (existsSync('./.flotilla/kubeconfig') ? './.flotilla/kubeconfig' : undefined) });

/** Prints the dashboard's address and, with a token, a sign-in link. */
export async function printDashboard(o: { kubeconfig?: string; token?: string; tokenFile?: string; namespace?: string }): Promise<void> {
  if (o.token && o.tokenFile) throw new Error('give --token or --token-file, not both');
  const cfg = kubeconfigOf(o.kubeconfig);
  const token = o.token ?? (o.tokenFile ? readFileSync(o.tokenFile, 'utf8').trim() : undefined) ?? cfg.token;
  const served = await probe(dashboardUrl(cfg.server), cfg);
  const info = describe(cfg, token || undefined, o.namespace, served);
  process.stdout.write(`${info.lines.join('\n')}\n`);
}

/** Serves the dashboard through a loopback proxy signed in with the kubeconfig's credentials, until interrupted. */
export async function proxyDashboard(o: { kubeconfig?: string; port: number; namespace?: string }): Promise<void> {
  const cfg = kubeconfigOf(o.kubeconfig);
  const { startDashboardProxy } = await import('./dashboard-proxy.js');
  const proxy = await startDashboardProxy(cfg, o.port);
  process.stdout.write([
    `Dashboard: ${dashboardUrl(proxy.url, o.namespace)}`,
    `Signed in as the user of the kubeconfig's context "${cfg.context}" (${cfg.server}): anyone who can reach this address on this`,
    'machine acts as that user; pages of other sites cannot (the proxy refuses other origins). Ctrl-C stops it.',
  ].join('\n') + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
}
