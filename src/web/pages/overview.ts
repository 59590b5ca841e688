import type { StatusResponse } from '../../client/index.js';
import { client, feedLatenciesMs, load, unavailable, unreachable } from '../api.js';
import { timeChart } from '../charts.js';
import { ago, fill, formatClock, formatNumber, h, link, userHref } from '../dom.js';
import { type Buckets, parseHistogram, quantile, subtractBuckets } from '../histogram.js';
import type { PageContext } from '../router.js';

const FEED_ROUTE = '/v1/users/:userId/feed';
const DURATION = 'setlist_http_request_duration_seconds';

function card(label: string, value: string, key: string): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-metric': key },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
  );
}

const ms = (seconds: number | undefined): string =>
  seconds === undefined ? '–' : `${formatNumber(seconds * 1000, 1)} ms`;

function percentile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Counts, models and their freshness, ingest rate and feed latency, polled every `pollMs`. */
export function overviewPage(ctx: PageContext): void {
  const pollMs = Number(new URLSearchParams(location.search).get('poll')) || 2_000;
  // Full width above the cards: why the figures are missing or not current.
  const notice = h('div', { id: 'status-notice' });
  const cards = h('section', { class: 'cards' });
  const models = h('section', { class: 'panel', id: 'models' }, h('h2', null, 'Models'));
  const chart = timeChart([
    { label: 'events/s', stroke: '#3b6fd8' },
    { label: 'feed p99 (ms)', stroke: '#e07b39', scale: 'ms' },
  ]);
  ctx.onLeave(() => chart.destroy());
  fill(
    ctx.view,
    h('h1', null, 'Overview'),
    notice,
    cards,
    h('section', { class: 'panel' }, h('h2', null, 'Ingest and feed latency'), chart.el),
    models,
    h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Start here'),
      h(
        'p',
        null,
        'Search a user, item or creator id above, or open ',
        link(userHref('beauty-vlogger'), 'beauty-vlogger'),
        ' (the demo’s persona lock-in story), ',
        link('/trending', 'trending'),
        ' or ',
        link('/quality', 'quality'),
        '.',
      ),
    ),
  );

  let previous: { at: number; events: number; buckets: Buckets | undefined } | undefined;
  const tick = async (): Promise<void> => {
    const [status, metrics] = await Promise.all([load(client.status()), load(client.metrics())]);
    if (!ctx.active()) return;
    if (!status.ok) {
      // The banner at the top says the server is unreachable; other failures are told here.
      fill(
        notice,
        unreachable(status.error) ? null : unavailable('Status', status),
        previous === undefined
          ? null
          : h(
              'p',
              { class: 'na', 'data-state': 'stale' },
              `Not current: the figures below are the server's last answer, at ${formatClock(previous.at)}.`,
            ),
      );
      cards.dataset.stale = 'true';
      models.dataset.stale = 'true';
      chart.push(Date.now() / 1000, [null, null]);
      return;
    }
    notice.replaceChildren();
    delete cards.dataset.stale;
    delete models.dataset.stale;
    const at = Date.now();
    const s = status.value;
    const buckets = metrics.ok ? parseHistogram(metrics.value, DURATION, { route: FEED_ROUTE }) : undefined;
    const rate =
      previous === undefined
        ? undefined
        : ((s.counts.events - previous.events) * 1000) / Math.max(1, at - previous.at);
    const window = buckets === undefined ? undefined : subtractBuckets(buckets, previous?.buckets);
    previous = { at, events: s.counts.events, buckets };
    renderCards(s, rate, buckets);
    renderModels(s);
    const p99 = window === undefined ? undefined : quantile(window, 0.99);
    chart.push(at / 1000, [rate ?? null, p99 === undefined ? null : p99 * 1000]);
  };

  const renderCards = (s: StatusResponse, rate: number | undefined, buckets: Buckets | undefined): void => {
    const browserP50 = percentile(feedLatenciesMs, 0.5);
    fill(
      cards,
      card('Items', formatNumber(s.counts.items), 'items'),
      card('Users', formatNumber(s.counts.users), 'users'),
      card('Creators', formatNumber(s.counts.creators), 'creators'),
      card('Events', formatNumber(s.counts.events), 'events'),
      card('Events / s', rate === undefined ? 'measuring…' : formatNumber(rate, 1), 'events-per-second'),
      card('Events behind', formatNumber(s.eventsBehind), 'events-behind'),
      card('Feed p50 (server)', ms(buckets && quantile(buckets, 0.5)), 'feed-p50'),
      card('Feed p99 (server)', ms(buckets && quantile(buckets, 0.99)), 'feed-p99'),
      card(
        'Feed p50 (browser)',
        browserP50 === undefined ? '–' : `${formatNumber(browserP50, 1)} ms`,
        'feed-browser-p50',
      ),
      card('Store', s.store, 'store'),
      card('Up', ago(0, s.uptimeMs).replace(' ago', ''), 'uptime'),
    );
  };

  const renderModels = (s: StatusResponse): void => {
    // Freshness is measured on the server's clock, which may differ from this browser's.
    const serverNow = s.startedAt + s.uptimeMs;
    fill(
      models,
      h(
        'h2',
        null,
        'Models',
        s.training === true ? [' ', h('span', { class: 'badge explore' }, 'training…')] : null,
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'model'),
              h('th', null, 'kind'),
              h('th', null, 'version'),
              h('th', null, 'trained'),
              h('th', null, 'validation NDCG@10'),
            ),
          ),
          h(
            'tbody',
            null,
            s.models.map((m) =>
              h(
                'tr',
                null,
                h('td', null, m.name),
                h('td', null, m.kind),
                h('td', null, formatNumber(m.version)),
                h('td', null, m.trainedAt === null ? 'never' : ago(m.trainedAt, serverNow)),
                h('td', null, m.report === undefined ? '–' : formatNumber(m.report.validation.ndcg10, 3)),
              ),
            ),
          ),
        ),
      ),
    );
  };

  void tick();
  const timer = setInterval(() => void tick(), pollMs);
  ctx.onLeave(() => clearInterval(timer));
}
