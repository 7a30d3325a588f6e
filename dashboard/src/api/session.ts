// Who the page acts as: a bearer token, held in memory and in this tab's sessionStorage only (never a cookie, so a
// third-party page can't ride it, and never in a URL the server sees). `flotilla dashboard` hands it over in the URL
// fragment (`#token=...`), which browsers don't send to servers; the page removes it from the address bar and the
// history entry before anything else runs. Without a token the page calls the API anonymously (today's open API).

const STORAGE_KEY = 'flotilla.dashboard.token';

/** The token in a location fragment (`#token=...` among other `k=v` pairs) and the fragment without it. */
export function tokenFromFragment(hash: string): { token?: string; rest: string } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw) return { rest: '' };
  const params = new URLSearchParams(raw);
  const token = params.get('token')?.trim() || undefined;
  params.delete('token');
  const rest = params.toString();
  return { token, rest: rest ? `#${rest}` : '' };
}

export interface TokenHints {
  /** The ServiceAccount's namespace when the token is a ServiceAccount JWT. */
  namespace?: string;
  /** `system:serviceaccount:NS:NAME` for ServiceAccount tokens. */
  username?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
}

/**
 * What a JWT says about itself, read without verifying it: only hints for the page (which namespace to open first,
 * whom to show as signed in). The API server verifies the token on every request; the page never trusts these.
 */
export function tokenHints(token: string | undefined): TokenHints {
  const part = token?.split('.')[1];
  if (!part) return {};
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(json) as Record<string, unknown>;
    const k8s = claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string } } | undefined;
    const namespace = k8s?.namespace ?? (claims['kubernetes.io/serviceaccount/namespace'] as string | undefined);
    const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
    return { namespace, username: sub, exp: typeof claims.exp === 'number' ? claims.exp : undefined };
  } catch {
    return {};
  }
}

type Listener = () => void;

/** The signed-in state of this tab. */
export class Session {
  private current?: string;
  private readonly listeners = new Set<Listener>();
  /** Set when the API answered 401: the page shows the login form. */
  unauthorized = false;

  constructor(private readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
    this.current = storage?.getItem(STORAGE_KEY) ?? undefined;
  }

  get token(): string | undefined {
    return this.current;
  }

  setToken(token: string | undefined): void {
    this.current = token?.trim() || undefined;
    this.unauthorized = false;
    if (this.current) this.storage?.setItem(STORAGE_KEY, this.current);
    else this.storage?.removeItem(STORAGE_KEY);
    this.emit();
  }

  markUnauthorized(): void {
    if (this.unauthorized) return;
    this.unauthorized = true;
    this.emit();
  }

  /** The Authorization header value, when there is a token. */
  authorization(): string | undefined {
    return this.current ? `Bearer ${this.current}` : undefined;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Takes a token out of the address bar at once: replaceState rewrites the current history entry, so neither the
 * address bar, the history, a bookmark nor a copied link keeps it. Returns the session, token stored.
 */
export function startSession(win: Window): Session {
  let storage: Storage | undefined;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = undefined; // storage disabled: the token lives in memory only
  }
  const session = new Session(storage);
  const { token, rest } = tokenFromFragment(win.location.hash);
  if (token !== undefined || win.location.hash.includes('token=')) {
    win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search + rest);
    if (token) session.setToken(token);
  }
  return session;
}
