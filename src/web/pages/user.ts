import type { UserProfile } from '../../client/index.js';
import { client, load, recordFeedLatency, rememberUser, unavailable } from '../api.js';
import { barChart } from '../charts.js';
import { type Child, fill, formatNumber, h, itemHref, link } from '../dom.js';
import { rankedList } from '../ranked-list.js';
import type { PageContext } from '../router.js';

/** A user: traits, interest facets (with mute and declare), the feed with reasons, history. */
export async function userPage(ctx: PageContext): Promise<void> {
  const userId = ctx.params[0] ?? '';
  rememberUser(userId);
  const about = h('section', { class: 'panel', id: 'about' }, h('h2', null, 'User'));
  const facets = h('section', { class: 'panel', id: 'facets' }, h('h2', null, 'Interest facets'));
  const feed = h('section', { class: 'panel', id: 'feed' }, h('h2', null, 'Feed preview'));
  const history = h('section', { class: 'panel', id: 'history' }, h('h2', null, 'Recent history'));
  fill(
    ctx.view,
    h('h1', null, 'User ', h('code', null, userId)),
    h('div', { class: 'columns' }, h('div', null, about, facets, history), h('div', null, feed)),
  );

  const [user, profile] = await Promise.all([
    load(client.users.get(userId)),
    load(client.users.profile(userId)),
    renderFeed(),
  ]);
  if (!ctx.active()) return;

  if (user.ok) {
    const traitText = Object.entries(user.value.user.traits).map(([k, v]) => `${k}: ${String(v)}`);
    fill(
      about,
      h('h2', null, 'User'),
      h('p', null, traitText.length > 0 ? traitText.join(' · ') : 'No traits.'),
    );
  } else if (user.notFound) {
    fill(
      about,
      h('h2', null, 'User'),
      h('p', { class: 'muted' }, 'Not known yet: the feed below is a cold start.'),
    );
  } else {
    fill(about, h('h2', null, 'User'), unavailable('The user', user));
  }

  renderFacets(profile.ok ? profile.value : undefined, profile.ok ? undefined : profile);
  renderHistory(profile.ok ? profile.value : undefined);

  async function renderFeed(): Promise<void> {
    const started = performance.now();
    const result = await load(client.users.feed(userId, { n: 20 }));
    const elapsed = performance.now() - started;
    if (!ctx.active()) return;
    const refresh = h(
      'button',
      { type: 'button', class: 'link', 'data-role': 'refresh', onclick: () => void renderFeed() },
      'refresh',
    );
    if (!result.ok) {
      // A failed feed keeps its refresh: the first answer after the server is back clears the banner.
      fill(
        feed,
        h('h2', null, 'Feed preview'),
        unavailable('The feed', result),
        h('p', { class: 'small' }, refresh),
      );
      return;
    }
    recordFeedLatency(elapsed);
    const exploring = result.value.items.filter((i) => i.reason.exploration).length;
    fill(
      feed,
      h('h2', null, 'Feed preview'),
      h(
        'p',
        { class: 'small muted' },
        `${result.value.items.length} items in ${formatNumber(elapsed, 1)} ms, ${exploring} exploring. `,
        refresh,
      ),
      rankedList(result.value.items),
    );
  }

  function renderFacets(
    value: UserProfile | undefined,
    failed: Parameters<typeof unavailable>[1] | undefined,
    note = '',
  ): void {
    const declareForm = h(
      'form',
      { class: 'inline-form', id: 'declare' },
      h('input', {
        name: 'tag',
        placeholder: 'interest tag, e.g. 美妆 or hiking',
        required: true,
        'aria-label': 'tag',
      }),
      h('input', {
        name: 'weight',
        type: 'number',
        min: -1,
        max: 1,
        step: 0.1,
        value: 1,
        'aria-label': 'weight',
        class: 'narrow',
      }),
      h('button', { type: 'submit' }, 'Declare'),
    );
    const message = h('p', { class: 'small', 'data-role': 'message' }, note);
    declareForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(declareForm);
      const tag = String(data.get('tag') ?? '').trim();
      const weight = Number(data.get('weight'));
      if (tag === '') return;
      void patch({ declare: [{ tag, weight: Number.isFinite(weight) ? weight : 1 }] }, message);
    });
    if (value === undefined) {
      fill(
        facets,
        h('h2', null, 'Interest facets'),
        failed === undefined ? null : unavailable('Interest facets', failed),
        h('h3', null, 'Declare an interest'),
        declareForm,
        message,
      );
      return;
    }
    const sorted = [...value.facets].sort((a, b) => b.weight - a.weight);
    fill(
      facets,
      h('h2', null, 'Interest facets'),
      sorted.length === 0
        ? h('p', { class: 'muted' }, 'No facets yet.')
        : barChart(sorted.map((f) => ({ label: f.label, value: f.weight, dim: f.muted }))),
      h(
        'ul',
        { class: 'facets' },
        sorted.map((f) =>
          h(
            'li',
            { 'data-facet': f.id, class: f.muted ? 'muted-facet' : undefined },
            h('strong', null, f.label),
            ` ${f.weight.toFixed(2)} `,
            f.muted ? h('span', { class: 'badge' }, 'muted') : null,
            h('span', { class: 'small muted' }, ` ${f.tags.slice(0, 5).join(' · ')} `),
            f.examples.slice(0, 3).map((id) => [' ', link(itemHref(id), id)]),
            ' ',
            h(
              'button',
              {
                type: 'button',
                class: 'small-button',
                onclick: () => void patch(f.muted ? { unmute: [f.id] } : { mute: [f.id] }, message),
              },
              f.muted ? 'Unmute' : 'Mute',
            ),
          ),
        ),
      ),
      mutedElsewhere(value, sorted, message),
      declaredList(value, message),
      h('h3', null, 'Declare an interest'),
      declareForm,
      message,
    );
  }

  /** Muted facet ids that match none of the current facets, so they can still be unmuted. */
  function mutedElsewhere(value: UserProfile, shown: UserProfile['facets'], message: HTMLElement): Child {
    const ids = (value.muted ?? []).filter((id) => !shown.some((f) => f.id === id));
    if (ids.length === 0) return null;
    return h(
      'p',
      { class: 'small', 'data-role': 'muted-elsewhere' },
      'Also muted: ',
      ids.map((id, k) => [
        k > 0 ? ', ' : '',
        h('code', null, id),
        ' ',
        h(
          'button',
          { type: 'button', class: 'small-button', onclick: () => void patch({ unmute: [id] }, message) },
          'Unmute',
        ),
      ]),
    );
  }

  /** The interests the user declared, each with its weight and a button that removes it. */
  function declaredList(value: UserProfile, message: HTMLElement): Child {
    const declared = value.declared ?? [];
    return [
      h('h3', null, 'Declared interests'),
      declared.length === 0
        ? h('p', { class: 'muted small', id: 'declared' }, 'None declared.')
        : h(
            'ul',
            { class: 'facets', id: 'declared' },
            declared.map((d) =>
              h(
                'li',
                { 'data-tag': d.tag },
                h('strong', null, d.tag),
                ` ${d.weight > 0 ? '+' : ''}${formatNumber(d.weight, 2)} `,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'small-button',
                    // A declared weight of 0 removes the interest.
                    onclick: () => void patch({ declare: [{ tag: d.tag, weight: 0 }] }, message),
                  },
                  'Remove',
                ),
              ),
            ),
          ),
    ];
  }

  function renderHistory(value: UserProfile | undefined): void {
    const recent = (value as { recent?: unknown } | undefined)?.recent;
    if (!Array.isArray(recent)) {
      fill(
        history,
        h('h2', null, 'Recent history'),
        h('p', { class: 'na' }, 'Recent history: not available yet on this server.'),
      );
      return;
    }
    const ids = recent.map((r) =>
      typeof r === 'string' ? r : String((r as { itemId?: unknown }).itemId ?? ''),
    );
    fill(
      history,
      h('h2', null, 'Recent history'),
      h(
        'ul',
        { class: 'plain' },
        ids.slice(0, 20).map((id) => h('li', null, link(itemHref(id), id))),
      ),
    );
  }

  async function patch(
    body: Parameters<typeof client.users.patchProfile>[1],
    message: HTMLElement,
  ): Promise<void> {
    message.textContent = 'Saving…';
    const result = await load(client.users.patchProfile(userId, body));
    if (!ctx.active()) return;
    if (!result.ok) {
      fill(message, unavailable('Changing the profile', result));
      return;
    }
    const refreshed = await load(client.users.profile(userId));
    if (!ctx.active()) return;
    const latest = refreshed.ok ? refreshed.value : result.value;
    const known = Array.isArray(latest.facets) ? latest : undefined;
    renderFacets(known, undefined, 'Saved: the feed below follows it.');
    renderHistory(known);
    await renderFeed();
  }
}
