// What every view reaches through context: the API client (with the session's token), the shared watches, the
// access reviews, discovery, the router and the toasts.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AccessReviews } from '../api/access.js';
import type { ApiClient } from '../api/client.js';
import type { ResourceType } from '../api/resources.js';
import type { Session } from '../api/session.js';
import type { Watches } from './watches.js';
import type { Router } from '../ui/router.js';
import type { Toasts } from '../ui/toasts.js';

export interface AppServices {
  api: ApiClient;
  session: Session;
  watches: Watches;
  access: AccessReviews;
  /** Every resource type the server serves; loaded once per session. */
  discovery: () => Promise<ResourceType[]>;
  router: Router;
  toasts: Toasts;
}

export const AppContext = createContext<AppServices | undefined>(undefined);

export function useApp(): AppServices {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}
