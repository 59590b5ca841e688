import { client, itemRecord, itemTitle, load, unavailable } from '../api.js';
import { barChart } from '../charts.js';
import { fill, h, itemHref, link } from '../dom.js';
import type { PageContext } from '../router.js';

/** Rising items and tags. */
export async function trendingPage(ctx: PageContext): Promise<void> {
  const body = h('section', { class: 'panel', id: 'trending' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(ctx.view, h('h1', null, 'Trending'), body);
  const result = await load(client.trending({ n: 20 }));
  if (!ctx.active()) return;
  if (!result.ok) {
    fill(body, unavailable('Trending items and tags', result));
    return;
  }
  const { items = [], tags = [] } = result.value;
  fill(
    body,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        null,
        h('h2', null, 'Rising tags'),
        tags.length === 0
          ? h('p', { class: 'muted' }, 'Nothing rising right now.')
          : barChart(tags.map((t) => ({ label: `#${t.tag}`, value: t.score }))),
      ),
      h(
        'div',
        null,
        h('h2', null, 'Rising items'),
        items.length === 0
          ? h('p', { class: 'muted' }, 'Nothing rising right now.')
          : h(
              'ol',
              { class: 'ranked' },
              items.map((entry) => {
                const title = h('span', { class: 'title' }, entry.itemId);
                void itemRecord(entry.itemId).then((item) => {
                  if (item !== undefined) title.textContent = itemTitle(item, item.tags.join(' ') || item.id);
                });
                return h(
                  'li',
                  { class: 'ranked-item', 'data-item': entry.itemId },
                  h(
                    'div',
                    { class: 'row' },
                    link(itemHref(entry.itemId), title),
                    h('span', { class: 'score' }, entry.score.toFixed(3)),
                  ),
                  // The reason states the rate itself ("8.8× its usual rate"): the bare rate only stands in
                  // for an empty one.
                  entry.reason
                    ? h('p', { class: 'reason' }, entry.reason)
                    : h('p', { class: 'reason' }, `×${entry.velocity.toFixed(1)} its usual rate`),
                );
              }),
            ),
      ),
    ),
  );
}
