// The page: top bar, navigation, the current view, toasts and the dialogs (sign in, shortcuts).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { tokenHints } from '../api/session.js';
import { type AppServices, AppContext } from '../store/app.js';
import { NamespaceContext } from '../store/namespace.js';
import type { Toast } from './toasts.js';
import { Header } from './Header.js';
import { installShortcuts, SHORTCUTS } from './keys.js';
import { LoginDialog } from './Login.js';
import { type Location, type Section, hrefOf } from './route.js';
import { Dialog } from './widgets.js';
import { CurrentView } from '../views/index.js';

const NAV: Array<[Section, string]> = [
  ['overview', 'Overview'],
  ['workloads', 'Workloads'],
  ['pods', 'Pods'],
  ['services', 'Services'],
  ['config', 'Config & Secrets'],
  ['nodes', 'Nodes'],
  ['events', 'Events'],
  ['resources', 'All kinds'],
];

function useLocation(s: AppServices): Location {
  const [loc, setLoc] = useState(s.router.location);
  useEffect(() => s.router.subscribe(setLoc), [s.router]);
  return loc;
}

function useToasts(s: AppServices): Toast[] {
  const [t, setT] = useState(s.toasts.items);
  useEffect(() => s.toasts.subscribe(setT), [s.toasts]);
  return t;
}

export function App(p: { services: AppServices }) {
  const s = p.services;
  const loc = useLocation(s);
  const toasts = useToasts(s);
  const [menu, setMenu] = useState(false);
  const [help, setHelp] = useState(false);
  const [login, setLogin] = useState(false);
  const [unauthorized, setUnauthorized] = useState(s.session.unauthorized);
  useEffect(() => s.session.subscribe(() => setUnauthorized(s.session.unauthorized)), [s.session]);
  const ns = loc.ns ?? tokenHints(s.session.token).namespace ?? '';
  const section = loc.route.view === 'list' || loc.route.view === 'object' ? undefined : loc.route.view;

  useEffect(() => setMenu(false), [loc]);
  useEffect(() => installShortcuts(window, {
    go: (v) => s.router.navigate(hrefOf({ view: v }, s.router.location.ns)),
    create: () => s.router.navigate(hrefOf({ view: 'create' }, s.router.location.ns)),
    focusFilter: () => {
      const f = document.querySelector<HTMLInputElement>('[data-filter]');
      f?.focus();
      return !!f;
    },
    focusNamespace: () => document.querySelector<HTMLElement>('[data-ns]')?.focus(),
    help: () => setHelp(true),
  }), [s]);

  const title = useMemo(() => NAV.find(([v]) => v === section)?.[1], [section]);
  useEffect(() => {
    document.title = `${title ?? 'Flotilla'}${ns ? ` · ${ns}` : ''} · Flotilla`;
  }, [title, ns]);

  return (
    <AppContext.Provider value={s}>
      <NamespaceContext.Provider value={ns}>
        <div class={`shell${menu ? ' menu-open' : ''}`} onClick={s.router.onLinkClick}>
          <Header onMenu={() => setMenu(!menu)} onLogin={() => setLogin(true)} />
          <nav class="side" aria-label="Views">
            {NAV.map(([v, label]) => (
              <a key={v} href={hrefOf({ view: v }, loc.ns)} class={section === v ? 'active' : undefined} aria-current={section === v ? 'page' : undefined} data-nav={v}>{label}</a>
            ))}
            <button type="button" class="link shortcuts" onClick={() => setHelp(true)}>Keyboard shortcuts (?)</button>
          </nav>
          <main id="main">
            <CurrentView location={loc} />
          </main>
          <div class="toasts" aria-live="polite">
            {toasts.map((t) => <div key={t.id} class={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} onClick={() => s.toasts.dismiss(t.id)}>{t.text}</div>)}
          </div>
          {help ? (
            <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)}>
              <dl class="keys">{SHORTCUTS.map(([k, what]) => [<dt key={`k${k}`}><kbd>{k}</kbd></dt>, <dd key={`d${k}`}>{what}</dd>])}</dl>
            </Dialog>
          ) : null}
          {login || unauthorized ? <LoginDialog onClose={() => setLogin(false)} /> : null}
        </div>
      </NamespaceContext.Provider>
    </AppContext.Provider>
  );
}
