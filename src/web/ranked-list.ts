import type { RankedItem } from '../client/index.js';
import { itemRecord, itemTitle } from './api.js';
import { creatorHref, h, itemHref, link } from './dom.js';

/** A feed or similar-items list: every entry with its title, score and full reason. */
export function rankedList(entries: RankedItem[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No items.');
  return h(
    'ol',
    { class: 'ranked' },
    entries.map((entry) => {
      const title = h('span', { class: 'title' }, entry.itemId);
      const meta = h('span', { class: 'meta' });
      void itemRecord(entry.itemId).then((item) => {
        if (item === undefined) return;
        title.textContent = itemTitle(item, item.tags.join(' ') || item.id);
        if (item.creatorId !== undefined) meta.append(link(creatorHref(item.creatorId), item.creatorId));
        if (item.visibility === 'hidden') meta.append(h('span', { class: 'badge hidden' }, 'hidden'));
      });
      const { reason } = entry;
      return h(
        'li',
        { class: 'ranked-item', 'data-item': entry.itemId },
        h(
          'div',
          { class: 'row' },
          link(itemHref(entry.itemId), title),
          h('span', { class: 'score', title: 'score' }, entry.score.toFixed(3)),
        ),
        h(
          'div',
          { class: 'row small' },
          h('span', { class: `badge source source-${reason.source}` }, reason.source),
          reason.exploration ? h('span', { class: 'badge explore' }, 'exploration') : null,
          reason.facet === undefined ? null : h('span', { class: 'badge' }, `facet ${reason.facet}`),
          h('code', { class: 'id' }, entry.itemId),
          meta,
        ),
        h('p', { class: 'reason' }, reason.text),
        reason.because !== undefined && reason.because.length > 0
          ? h(
              'p',
              { class: 'because small' },
              'because: ',
              reason.because.map((id, k) => [k > 0 ? ', ' : '', link(itemHref(id), id)]),
            )
          : null,
      );
    }),
  );
}
