// The dashboard's entry point: the CSP style shim first, then the session (the token is taken out of the address
// bar before anything else can read the URL), then the app.
import './styles/app.css';
import { render } from 'preact';
import { AccessReviews } from './api/access.js';
import { ApiClient } from './api/client.js';
import { discover } from './api/discovery.js';
import type { ResourceType } from './api/resources.js';
import { startSession } from './api/session.js';
import type { AppServices } from './store/app.js';
import { Watches } from './store/watches.js';
import { App } from './ui/App.js';
import { Router } from './ui/router.js';
import { Toasts } from './ui/toasts.js';
import { installStyleShim } from './util/csp-styles.js';

installStyleShim(document);
const session = startSession(window);
const router = new Router(window);
const toasts = new Toasts();
const root = document.getElementById('app') as HTMLElement;

/** Everything that holds data or answers for one identity; rebuilt when the token changes. */
function services(): AppServices {
  const api = new ApiClient(session);
  let types: Promise<ResourceType[]> | undefined;
  return {
    api,
    session,
    watches: new Watches(api),
    access: new AccessReviews(api),
    discovery: () => (types ??= discover(api).catch((e: unknown) => {
      types = undefined; // try again next time
      throw e;
    })),
    router,
    toasts,
  };
}

let current = services();
let token = session.token;
let generation = 0;
const draw = () => render(<App key={generation} services={current} />, root);
session.subscribe(() => {
  if (session.token === token) return draw();
  token = session.token;
  current.watches.reset();
  current = services();
  generation++;
  draw();
});
draw();
