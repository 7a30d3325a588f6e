// What every command shares: the parsed global flags, the client built from kubeconfig, errors shaped like
// kubectl's (`Error from server (NotFound): ...`), and a raw GET that can ask for server-side Tables.
import { ApiError, Client } from '../../lib/client/rest.js';
import { loadKubeConfig, type ClientConfig } from '../../lib/client/kubeconfig.js';
import { findByAlias, type KindInfo } from '../../lib/api/kinds.js';
import { type Parsed, str, bool } from './flags.js';
import { didYouMean, suggestResource } from './suggest.js';
import { red, yellow } from './style.js';

export const GLOBAL_FLAGS = {
  kubeconfig: {},
  context: {},
  namespace: { short: 'n' },
  server: { short: 's' },
  'all-namespaces': { short: 'A', bool: true },
};

/** An error already worded for the user; main prints it as is and exits 1. */
export class CliError extends Error {}

export class Ctx {
  /** -n was given: objects from files must agree with it. */
  readonly explicitNs: boolean;
  failed = false;
  /** Set by commands that pass an exit code through (exec); otherwise 1 if anything failed, else 0. */
  exitCode?: number;
  private _config?: ClientConfig;
  private _client?: Client;

  constructor(readonly p: Parsed) {
    this.explicitNs = str(p, 'namespace') !== undefined;
  }

  /** The kubeconfig is read on first use, so `config` and `completion` work without one. */
  get config(): ClientConfig {
    this._config ??= loadKubeConfig({ kubeconfig: str(this.p, 'kubeconfig'), context: str(this.p, 'context'), namespace: str(this.p, 'namespace'), server: str(this.p, 'server') });
    return this._config;
  }
  get client(): Client {
    if (!this._client) {
      this._client = new Client(this.config);
      this._client.onWarning = (m) => this.warn(`Warning: ${m}\n`);
    }
    return this._client;
  }
  /** The config if it was loaded (error messages must not try to load it again). */
  get loadedConfig(): ClientConfig | undefined {
    return this._config;
  }
  close(): void {
    this._client?.close();
  }

  get namespace(): string {
    return this.config.namespace;
  }
  get allNamespaces(): boolean {
    return bool(this.p, 'all-namespaces');
  }

  print(s: string): void {
    process.stdout.write(s);
  }
  /** stderr; on a terminal, warnings are yellow. */
  warn(s: string): void {
    process.stderr.write(s.startsWith('Warning:') ? yellow(s.trimEnd(), process.stderr) + '\n' : s);
  }
  /** Reports a per-object failure and keeps going, as kubectl does; the exit code becomes 1. */
  fail(e: unknown, prefix = ''): void {
    if (isConnError(e)) throw e; // the server is down: one message from main, not one per object
    this.failed = true;
    process.stderr.write(red(formatError(e, prefix, this.config), process.stderr) + '\n');
  }

  kind(typed: string): KindInfo {
    const k = findByAlias(typed);
    if (!k) throw new CliError(`error: the server doesn't have a resource type "${typed}"${didYouMean(suggestResource(typed))}`);
    return k;
  }

  /** GET with a chosen Accept header (kubectl asks for Tables this way). */
  getRaw<T>(path: string, accept: string): Promise<T> {
    return this.client.request<T>({ method: 'GET', path, accept });
  }
}

const CONNECT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN'];

export const isConnError = (e: unknown) => {
  const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  return !!code && CONNECT_CODES.includes(code);
};

/**
 * A 422 Invalid as kubectl words it, whatever the command: the object, then the server's causes field by field
 * (`The Deployment "web" is invalid: spec.replicas: ...`, or one `* field: message` line per cause).
 */
function invalidMessage(e: ApiError): string {
  const d = e.status.details;
  if (!d) return 'The request is invalid';
  const s = d.kind || d.name ? `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid` : 'The request is invalid';
  const causes = (d.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
  if (!causes.length) return s;
  if (causes.length === 1) return `${s}: ${causes[0]}`;
  return `${s}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
}

let hint: ((serverMessage: string) => string) | undefined;
/** Writing commands add "did you mean" hints to server errors (kept out of here so `get` never loads schemas). */
export function setErrorHint(h: (serverMessage: string) => string): void {
  hint = h;
}

export function formatError(e: unknown, prefix: string, config?: ClientConfig): string {
  if (e instanceof ApiError && e.reason === 'Invalid') return invalidMessage(e);
  if (e instanceof ApiError) return `Error from server${e.reason ? ` (${e.reason})` : ''}: ${prefix}${e.message}${hint?.(e.message) ?? ''}`;
  if (e instanceof CliError) return e.message;
  const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (config && code && CONNECT_CODES.includes(code)) {
    const host = new URL(config.server).host;
    const from = config.sources.length ? `kubeconfig ${config.sources.join(':')}` : 'no kubeconfig file';
    return `The connection to the server ${host} was refused - did you specify the right host or port? (${code}; server ${config.server} from ${from})`;
  }
  return `error: ${(e as Error).message}`;
}
