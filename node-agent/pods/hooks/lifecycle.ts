// Lifecycle hooks (postStart, preStop) as the kubelet runs them: exec inside the container, httpGet from the node
// to the pod, or sleep; a failure comes back as the kubelet's message (FailedPostStartHook kills the container; a
// failed preStop only delays nothing further). A hook never outlives its time budget: for preStop that is the
// grace period, whose remainder is what the stop gets.
import { CriError } from '../../cri/client.js';
import { httpTarget, goDialError, type ActionTarget } from '../probes/actions.js';
import type { Handler } from '../spec.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HookContext {
  containerName: string;
  /** `name_namespace(uid)`. */
  podDesc: string;
  /** The hook's time budget, ms. */
  timeoutMs: number;
}

const goList = (cmd: string[]): string => `[${cmd.join(' ')}]`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function httpHook(t: ActionTarget, h: NonNullable<Handler['httpGet']>, timeoutMs: number): Promise<string | undefined> {
  const target = httpTarget(t, h);
  if ('error' in target) return target.error;
  const { url, headers } = target;
  const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const req = doRequest(url, { method: 'GET', headers: { ...headers, 'User-Agent': headers['User-Agent'] === 'kube-probe/1.32' ? 'kube-lifecycle/1.32' : (headers['User-Agent'] as string) }, agent: false, signal: abort.signal, rejectUnauthorized: false }, (res) => {
      // the kubelet takes any answer as done: only a failure to get one fails the hook
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = abort.signal.aborted ? 'context deadline exceeded' : goDialError(e, url.hostname.replace(/^\[|\]$/g, ''), Number(url.port));
      resolve(`Get ${JSON.stringify(url.toString())}: ${why}`);
    });
    req.end();
  });
}

/** Runs a hook; resolves to the kubelet's failure message, or undefined when it succeeded. */
export async function runHook(t: ActionTarget, h: Handler, ctx: HookContext): Promise<string | undefined> {
  const pod = JSON.stringify(ctx.podDesc);
  const container = JSON.stringify(ctx.containerName);
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    try {
      // no runtime-side limit (as the kubelet), but the call ends with the budget
      const r = await t.cri.execSync(t.containerId, cmd, 0, { timeoutMs: Math.max(1000, ctx.timeoutMs) });
      if (r.exitCode === 0) return undefined;
      const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      return `Exec lifecycle hook (${goList(cmd)}) for Container ${container} in Pod ${pod} failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode}: ${output}, message: ${JSON.stringify(output)}`;
    } catch (e) {
      const err = e instanceof CriError ? `rpc error: code = ${e.code} desc = ${e.details}` : (e as Error).message;
      return `Exec lifecycle hook (${goList(cmd)}) for Container ${container} in Pod ${pod} failed - error: ${err}, message: ""`;
    }
  }
  if (h.httpGet) {
    const err = await httpHook(t, h.httpGet, ctx.timeoutMs);
    return err === undefined ? undefined : `HTTP lifecycle hook (${h.httpGet.path ?? '/'}) for Container ${container} in Pod ${pod} failed - error: ${err}`;
  }
  if (h.sleep) {
    await sleep(Math.min(h.sleep.seconds * 1000, ctx.timeoutMs));
    return undefined;
  }
  // tcpSocket is accepted for backward compatibility and does nothing, as in Kubernetes
  return undefined;
}
