import { client, load, unavailable } from '../api.js';
import { barChart } from '../charts.js';
import { fill, h, itemHref, link } from '../dom.js';
import type { PageContext } from '../router.js';

/** A creator: facets built from their items, each with its weight and how many items it holds. */
export async function creatorPage(ctx: PageContext): Promise<void> {
  const creatorId = ctx.params[0] ?? '';
  const facets = h('section', { class: 'panel', id: 'facets' }, h('h2', null, 'Facets'));
  fill(ctx.view, h('h1', null, 'Creator ', h('code', null, creatorId)), facets);
  const profile = await load(client.creators.profile(creatorId));
  if (!ctx.active()) return;
  if (!profile.ok) {
    fill(
      facets,
      h('h2', null, 'Facets'),
      profile.notFound
        ? h('p', { class: 'muted' }, `No creator "${creatorId}".`)
        : unavailable('Creator facets', profile),
    );
    return;
  }
  const { value } = profile;
  const sorted = [...(value.facets ?? [])].sort((a, b) => b.weight - a.weight);
  fill(
    facets,
    h('h2', null, 'Facets'),
    value.itemCount === undefined
      ? null
      : h('p', { class: 'small muted' }, `From ${value.itemCount} items, labelled from their own evidence.`),
    sorted.length === 0
      ? h('p', { class: 'muted' }, 'No facets.')
      : barChart(sorted.map((f) => ({ label: f.label, value: f.weight }))),
    h(
      'ul',
      { class: 'facets' },
      sorted.map((f) =>
        h(
          'li',
          null,
          h('strong', null, f.label),
          ` weight ${f.weight.toFixed(2)}`,
          f.itemCount === undefined ? null : `, ${f.itemCount} items`,
          f.tags === undefined
            ? null
            : h('span', { class: 'small muted' }, ` ${f.tags.slice(0, 5).join(' · ')}`),
          (f.examples ?? []).slice(0, 4).map((id) => [' ', link(itemHref(id), id)]),
        ),
      ),
    ),
  );
}
