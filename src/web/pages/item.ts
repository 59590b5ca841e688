import type { Item, ItemLabels } from '../../client/index.js';
import { client, forgetItems, itemTitle, load, unavailable } from '../api.js';
import { barChart } from '../charts.js';
import { creatorHref, fill, formatDate, h, link } from '../dom.js';
import { rankedList } from '../ranked-list.js';
import type { PageContext } from '../router.js';

/** An item: its fields, labels, visibility with reason and audit trail, and similar items. */
export async function itemPage(ctx: PageContext): Promise<void> {
  const itemId = ctx.params[0] ?? '';
  const about = h('section', { class: 'panel', id: 'about' });
  const visibility = h('section', { class: 'panel', id: 'visibility' }, h('h2', null, 'Visibility'));
  const labels = h('section', { class: 'panel', id: 'labels' }, h('h2', null, 'Labels'));
  const similar = h('section', { class: 'panel', id: 'similar' }, h('h2', null, 'Similar items'));
  fill(
    ctx.view,
    h('h1', null, 'Item ', h('code', null, itemId)),
    h('div', { class: 'columns' }, h('div', null, about, visibility, labels), h('div', null, similar)),
  );

  const [item, labelResult, similarResult] = await Promise.all([
    load(client.items.get(itemId)),
    load(client.items.labels(itemId)),
    load(client.items.similar(itemId, { n: 12 })),
  ]);
  if (!ctx.active()) return;
  if (!item.ok) {
    fill(
      about,
      h('h2', null, 'Item'),
      item.notFound ? h('p', { class: 'muted' }, `No item "${itemId}".`) : unavailable('The item', item),
    );
    visibility.remove();
    labels.remove();
    similar.remove();
    return;
  }
  renderAbout(item.value.item);
  await renderVisibility(item.value.item);
  fill(
    labels,
    h('h2', null, 'Labels'),
    labelResult.ok ? labelView(labelResult.value) : unavailable('Labels', labelResult),
  );
  fill(
    similar,
    h('h2', null, 'Similar items'),
    similarResult.ok ? rankedList(similarResult.value.items) : unavailable('Similar items', similarResult),
  );

  function renderAbout(record: Item): void {
    fill(
      about,
      h('h2', null, itemTitle(record)),
      h(
        'dl',
        { class: 'fields' },
        h('dt', null, 'creator'),
        h(
          'dd',
          null,
          record.creatorId === undefined ? '–' : link(creatorHref(record.creatorId), record.creatorId),
        ),
        h('dt', null, 'tags'),
        h(
          'dd',
          null,
          record.tags.length === 0
            ? h('span', { class: 'muted' }, 'no tags')
            : record.tags.map((t) => h('span', { class: 'chip' }, t)),
          record.category === undefined ? null : h('span', { class: 'chip category' }, record.category),
        ),
        h('dt', null, 'created'),
        h('dd', null, formatDate(record.createdAt)),
        record.durationMs === undefined
          ? null
          : [h('dt', null, 'duration'), h('dd', null, `${Math.round(record.durationMs / 1000)} s`)],
      ),
    );
  }

  async function renderVisibility(record: Item): Promise<void> {
    const audit = await load(client.items.audit(itemId));
    if (!ctx.active()) return;
    const hidden = record.visibility === 'hidden';
    // The API wants a reason for every visibility change: hiding asks the moderator for one, restoring
    // falls back to a default.
    const reasonInput = h('input', {
      name: 'reason',
      required: !hidden,
      'aria-label': 'reason',
      placeholder: hidden
        ? 'why restore it (optional), e.g. appeal accepted'
        : 'why hide it, e.g. under review',
    });
    const message = h('p', { class: 'small', 'data-role': 'message' });
    const form = h(
      'form',
      { class: 'inline-form' },
      reasonInput,
      h('button', { type: 'submit', class: hidden ? 'restore' : 'hide' }, hidden ? 'Restore' : 'Hide'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const reason = reasonInput.value.trim() || (hidden ? 'restored from the dashboard' : '');
      if (reason === '') {
        message.textContent = 'Say why it is hidden: the reason goes into the audit trail.';
        reasonInput.focus();
        return;
      }
      message.textContent = 'Saving…';
      void load(
        client.items.patch(itemId, { visibility: hidden ? 'visible' : 'hidden', reason, actor: 'dashboard' }),
      ).then(async (result) => {
        if (!ctx.active()) return;
        if (!result.ok) {
          fill(message, unavailable('Changing visibility', result));
          return;
        }
        forgetItems();
        await renderVisibility(result.value.item);
      });
    });
    fill(
      visibility,
      h('h2', null, 'Visibility'),
      h(
        'p',
        { 'data-visibility': record.visibility },
        h('span', { class: `badge ${record.visibility}` }, record.visibility),
        record.visibilityReason === undefined ? null : ` — ${record.visibilityReason}`,
      ),
      form,
      message,
      h('h3', null, 'Audit trail'),
      !audit.ok
        ? unavailable('The audit trail', audit)
        : audit.value.audit.length === 0
          ? h('p', { class: 'muted small' }, 'No visibility changes.')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'audit' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', null, 'when'),
                    h('th', null, 'action'),
                    h('th', null, 'by'),
                    h('th', null, 'reason'),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  [...audit.value.audit]
                    .sort((a, b) => b.at - a.at)
                    .map((a) =>
                      h(
                        'tr',
                        null,
                        h('td', null, formatDate(a.at)),
                        h('td', null, a.action),
                        h('td', null, a.actor),
                        h('td', null, a.reason),
                      ),
                    ),
                ),
              ),
            ),
    );
  }
}

/** Labels with calibrated confidence; an abstention is shown as "unknown", never as a guess. */
export function labelView(value: ItemLabels): HTMLElement {
  const sorted = [...value.labels].sort((a, b) => b.confidence - a.confidence);
  return h(
    'div',
    { class: 'labels' },
    value.unknown
      ? h(
          'p',
          { 'data-unknown': 'true' },
          h('span', { class: 'badge unknown' }, 'unknown'),
          value.modelVersion === null
            ? ' No label model is trained yet: train one (POST /v1/train) and labels appear here.'
            : ' Not enough evidence to say what this is about.',
        )
      : null,
    sorted.length === 0
      ? value.unknown
        ? null
        : h('p', { class: 'muted' }, 'No labels.')
      : barChart(
          sorted.map((l) => ({ label: l.tag, value: l.confidence, dim: value.unknown })),
          { max: 1, format: (v) => `${Math.round(v * 100)}%` },
        ),
  );
}
