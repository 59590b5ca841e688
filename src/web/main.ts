import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { client, load, unavailable } from './api.js';
import { creatorHref, fill, h, itemHref, link, userHref } from './dom.js';
import { creatorPage } from './pages/creator.js';
import { itemPage } from './pages/item.js';
import { overviewPage } from './pages/overview.js';
import { qualityPage } from './pages/quality.js';
import { trendingPage } from './pages/trending.js';
import { userPage } from './pages/user.js';
import { createRouter, type PageContext } from './router.js';

const view = document.getElementById('view')!;

const router = createRouter(
  view,
  [
    { pattern: /^\/$/, page: overviewPage, title: () => 'Overview' },
    { pattern: /^\/users\/([^/]+)\/?$/, page: userPage, title: ([id]) => `User ${id}` },
    { pattern: /^\/items\/([^/]+)\/?$/, page: itemPage, title: ([id]) => `Item ${id}` },
    { pattern: /^\/creators\/([^/]+)\/?$/, page: creatorPage, title: ([id]) => `Creator ${id}` },
    { pattern: /^\/trending\/?$/, page: trendingPage, title: () => 'Trending' },
    { pattern: /^\/quality\/?$/, page: qualityPage, title: () => 'Quality' },
    { pattern: /^\/search\/?$/, page: (ctx) => searchPage(ctx), title: () => 'Search' },
  ],
  (ctx) =>
    fill(
      ctx.view,
      h('h1', null, 'Not found'),
      h('p', null, 'No such page. ', link('/', 'Back to the overview')),
    ),
);

/**
 * Resolves a search to a page: `user:`, `item:` or `creator:` prefixes go straight there; a bare id
 * is tried as an item, then a user, then a creator. The search has its own address (`/search?q=`), so
 * leaving the previous page stops its polling and the title and tabs follow.
 */
async function searchPage(ctx: PageContext): Promise<void> {
  const query = (new URLSearchParams(location.search).get('q') ?? '').trim();
  const result = h('p', { class: 'muted' }, query === '' ? 'Type an id in the search box.' : 'Searching…');
  fill(ctx.view, h('h1', null, 'Search'), result);
  if (query === '') return;
  const prefixed = /^(user|u|item|i|creator|c):\s*(.+)$/i.exec(query);
  if (prefixed !== null) {
    const kind = prefixed[1]!.toLowerCase()[0];
    const id = prefixed[2]!;
    router.go(kind === 'u' ? userHref(id) : kind === 'i' ? itemHref(id) : creatorHref(id), { replace: true });
    return;
  }
  const [item, user, creator] = await Promise.all([
    load(client.items.get(query)),
    load(client.users.get(query)),
    load(client.creators.profile(query)),
  ]);
  if (!ctx.active()) return;
  if (item.ok) router.go(itemHref(query), { replace: true });
  else if (user.ok) router.go(userHref(query), { replace: true });
  else if (creator.ok) router.go(creatorHref(query), { replace: true });
  else {
    // "No such id" only when every lookup was answered with a 404; otherwise say what stopped it.
    const failed = [item, user, creator].find((r) => !r.ok && !r.notFound && !r.notAvailable);
    if (failed !== undefined && !failed.ok) {
      fill(result, unavailable(`Searching for “${query}”`, failed));
      return;
    }
    fill(
      result,
      `No item or user with id “${query}”. Open it as `,
      link(userHref(query), 'a user (cold start)'),
      ' or ',
      link(creatorHref(query), 'a creator'),
      '.',
    );
    result.className = '';
  }
}

const form = document.querySelector<HTMLFormElement>('form.search');
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = form.elements.namedItem('q') as HTMLInputElement;
  const query = input.value.trim();
  if (query !== '') router.go(`/search?q=${encodeURIComponent(query)}`);
});

router.start();
