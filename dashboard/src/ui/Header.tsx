// The top bar: the menu button (narrow windows), the namespace switcher, the create button and who is signed in.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { R, collectionPath } from '../api/resources.js';
import { tokenHints } from '../api/session.js';
import type { KubeObject } from '../api/types.js';
import { useApp } from '../store/app.js';
import { useNamespace } from '../store/namespace.js';
import { hrefOf } from './route.js';

/**
 * The namespace names, listed when the page opens and again whenever the switcher gets focus: namespaces change
 * rarely, and a watch would hold one of the few connections a browser opens to the server.
 */
function useNamespaceNames(): { names: string[]; forbidden: boolean; refresh: () => void } {
  const { api } = useApp();
  const [state, setState] = useState<{ names: string[]; forbidden: boolean }>({ names: [], forbidden: false });
  const refresh = useCallback(() => {
    api.get<{ items: KubeObject[] }>(collectionPath(R.namespaces)).then(
      (l) => setState({ names: l.items.map((n) => n.metadata.name).sort(), forbidden: false }),
      (e: unknown) => setState((s) => ({ ...s, forbidden: e instanceof ApiError && e.code === 403 })),
    );
  }, [api]);
  useEffect(refresh, [refresh]);
  return { ...state, refresh };
}

export function Header(p: { onMenu: () => void; onLogin: () => void }) {
  const { session, router } = useApp();
  const ns = useNamespace();
  const { names, forbidden, refresh } = useNamespaceNames();
  const [typed, setTyped] = useState(ns);
  const pick = (value: string) => {
    const { route } = router.location;
    router.navigate(hrefOf(route, value));
  };
  const hints = tokenHints(session.token);
  const who = session.token ? (hints.username ?? 'token') : 'anonymous';
  return (
    <header class="top">
      <button type="button" class="icon menu" aria-label="Menu" onClick={p.onMenu}>☰</button>
      <a class="brand" href="/dashboard/">Flotilla</a>
      <div class="ns">
        <label for="ns-select" class="sr-only">Namespace</label>
        {forbidden ? (
          // may not list namespaces: type the one the token is for
          <form onSubmit={(e) => { e.preventDefault(); pick(typed.trim()); }}>
            <input id="ns-select" data-ns placeholder="namespace" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
          </form>
        ) : (
          <select id="ns-select" data-ns value={ns} onFocus={refresh} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
            <option value="">All namespaces</option>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
            {ns && !names.includes(ns) ? <option value={ns}>{ns}</option> : null}
          </select>
        )}
      </div>
      <div class="spacer" />
      <a class="button primary" href={hrefOf({ view: 'create' }, router.location.ns)} data-create>+ Create</a>
      <button type="button" class="who" onClick={p.onLogin} title={session.token ? 'Signed in with a bearer token: sign out or use another' : 'No token: the API decides what anonymous requests may do'}>
        {who}
      </button>
    </header>
  );
}
