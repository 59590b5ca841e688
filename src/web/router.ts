/** History routing for the dashboard: paths like /users/u1 map to page functions. */

export interface PageContext {
  view: HTMLElement;
  /** Decoded path parameters, in order. */
  params: string[];
  /** Runs when the user leaves the page: stop polling, drop charts. */
  onLeave(fn: () => void): void;
  /** False once the user has left: late answers must not draw over the next page. */
  active(): boolean;
  /** Re-renders the current page (after a change). */
  reload(): void;
}

export type Page = (ctx: PageContext) => void | Promise<void>;

export interface Route {
  pattern: RegExp;
  page: Page;
  title: (params: string[]) => string;
}

export function createRouter(
  view: HTMLElement,
  routes: Route[],
  notFound: Page,
): { start(): void; go(path: string, options?: { replace?: boolean }): void } {
  let leave: (() => void)[] = [];
  let generation = 0;

  const render = (): void => {
    for (const fn of leave) fn();
    leave = [];
    const mine = ++generation;
    const path = location.pathname;
    let page = notFound;
    let params: string[] = [];
    let title = 'setlist';
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (m === null) continue;
      params = m.slice(1).map((p) => safeDecode(p ?? ''));
      page = route.page;
      title = `${route.title(params)} · setlist`;
      break;
    }
    document.title = title;
    for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('header nav a'))) {
      a.classList.toggle('current', a.pathname === path);
    }
    view.dataset.loading = 'true';
    const ctx: PageContext = {
      view,
      params,
      onLeave: (fn) => leave.push(fn),
      active: () => mine === generation,
      reload: render,
    };
    void Promise.resolve(page(ctx))
      .catch((err: unknown) => {
        view.textContent = `This page failed: ${err instanceof Error ? err.message : String(err)}`;
      })
      .finally(() => {
        if (mine === generation) view.dataset.loading = 'false';
      });
  };

  /** Opens `path`; `replace` swaps the current history entry (a search resolving to its page). */
  const go = (path: string, { replace = false }: { replace?: boolean } = {}): void => {
    if (replace) history.replaceState(null, '', path);
    else if (path !== location.pathname + location.search) history.pushState(null, '', path);
    render();
    window.scrollTo(0, 0);
  };

  return {
    start() {
      document.addEventListener('click', (event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
          return;
        const a = (event.target as Element | null)?.closest?.('a');
        if (a === null || a === undefined || a.target !== '' || a.origin !== location.origin) return;
        if (/\.(json|txt)$|^\/(v1|metrics|healthz|readyz|openapi)/.test(a.pathname)) return;
        event.preventDefault();
        go(a.pathname + a.search);
      });
      window.addEventListener('popstate', render);
      render();
    },
    go,
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
