// History-based navigation: links are ordinary <a href> (open in a new tab works), clicks are turned into
// pushState so the page never reloads.
import { type Location, parseLocation } from './route.js';

type Listener = (l: Location) => void;

export class Router {
  private loc: Location;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly win: Window) {
    this.loc = parseLocation(win.location.pathname, win.location.search);
    win.addEventListener('popstate', () => this.update());
  }

  get location(): Location {
    return this.loc;
  }

  navigate(href: string, o: { replace?: boolean } = {}): void {
    if (o.replace) this.win.history.replaceState(null, '', href);
    else this.win.history.pushState(null, '', href);
    this.update();
    if (!o.replace) this.win.scrollTo(0, 0);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** A click on an in-app link: navigate without a reload (modified clicks keep the browser's behaviour). */
  onLinkClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, this.win.location.href);
    if (url.origin !== this.win.location.origin || !url.pathname.startsWith('/dashboard')) return;
    e.preventDefault();
    this.navigate(url.pathname + url.search);
  };

  private update(): void {
    this.loc = parseLocation(this.win.location.pathname, this.win.location.search);
    for (const l of this.listeners) l(this.loc);
  }
}
