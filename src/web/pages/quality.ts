import uPlot from 'uplot';
import type { FeedResponse } from '../../client/index.js';
import { client, itemRecord, load, recentUsers, unavailable } from '../api.js';
import { barChart } from '../charts.js';
import { fill, formatDate, formatNumber, h, link, userHref } from '../dom.js';
import type { PageContext } from '../router.js';

/** One offline evaluation report, as a server may expose it at GET /v1/quality. */
interface QualityReport {
  name?: string;
  model?: string;
  dataset?: string;
  at?: number | string;
  metrics?: Record<string, number>;
}

interface RankingMetrics {
  ndcg10: number;
  recall20: number;
}

/** The JSON that `setlist eval --json` prints: one row per model and one for the blend. */
interface EvalReport {
  source?: string;
  models: { kind: string; test: RankingMetrics; validation?: RankingMetrics }[];
  blend?: { test: RankingMetrics };
}

/** The JSON that `setlist simulate` saves: one learning curve and summary per policy. */
interface SimulateReport {
  policies: {
    name: string;
    curve: number[];
    lastQuarter: number;
    oracleShare: number | null;
    newItems: { share: number };
    coverage?: number;
  }[];
}

function isSimulateReport(value: unknown): value is SimulateReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as SimulateReport).policies);
}

function isEvalReport(value: unknown): value is EvalReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as EvalReport).models);
}

/** Flattens eval reports into rows of named metrics; other reports pass through. */
export function reportRows(list: unknown[]): QualityReport[] {
  return list.flatMap((r): QualityReport[] => {
    if (isSimulateReport(r)) {
      return r.policies.map((p) => ({
        name: `simulate: ${p.name}`,
        metrics: {
          'watch ratio (last quarter)': p.lastQuarter,
          ...(p.oracleShare === null ? {} : { 'share of oracle': p.oracleShare }),
          'new items reached': p.newItems.share,
          ...(p.coverage === undefined ? {} : { coverage: p.coverage }),
        },
      }));
    }
    if (!isEvalReport(r)) return [r as QualityReport];
    const dataset = r.source;
    const row = (name: string, m: RankingMetrics): QualityReport => ({
      name,
      ...(dataset === undefined ? {} : { dataset }),
      metrics: { 'NDCG@10': m.ndcg10, 'Recall@20': m.recall20 },
    });
    return [
      ...r.models.map((m) => row(m.kind, m.test)),
      ...(r.blend === undefined ? [] : [row('blend', r.blend.test)]),
    ];
  });
}

/** Offline quality reports when the server has them, and live checks on a sample of feeds. */
export async function qualityPage(ctx: PageContext): Promise<void> {
  const reports = h('section', { class: 'panel', id: 'reports' }, h('h2', null, 'Offline reports'));
  const sample = h('section', { class: 'panel', id: 'sample' }, h('h2', null, 'Live feed sample'));
  fill(ctx.view, h('h1', null, 'Quality'), reports, sample);
  await Promise.all([renderReports(), renderSample()]);

  async function renderReports(): Promise<void> {
    const result = await load(
      client.request<{ reports?: QualityReport[] } | QualityReport[]>('GET', '/v1/quality'),
    );
    if (!ctx.active()) return;
    if (!result.ok) {
      const missing = result.notAvailable || result.notFound;
      fill(
        reports,
        h('h2', null, 'Offline reports'),
        missing
          ? h(
              'p',
              { class: 'na', 'data-state': 'not-available' },
              'Offline quality reports: not available yet on this server.',
            )
          : unavailable('Offline quality reports', result),
      );
      return;
    }
    const raw: unknown[] = Array.isArray(result.value) ? result.value : (result.value.reports ?? []);
    const list = reportRows(raw);
    const simulation = raw.find(isSimulateReport);
    const metricNames = [...new Set(list.flatMap((r) => Object.keys(r.metrics ?? {})))];
    fill(
      reports,
      h('h2', null, 'Offline reports'),
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
              h('th', null, 'report'),
              h('th', null, 'when'),
              metricNames.map((m) => h('th', null, m)),
            ),
          ),
          h(
            'tbody',
            null,
            list.map((r) =>
              h(
                'tr',
                null,
                h(
                  'td',
                  null,
                  [r.name ?? r.model ?? 'report', r.dataset === undefined ? '' : ` · ${r.dataset}`].join(''),
                ),
                h(
                  'td',
                  null,
                  r.at === undefined ? '–' : formatDate(typeof r.at === 'number' ? r.at : Date.parse(r.at)),
                ),
                metricNames.map((m) =>
                  h('td', null, r.metrics?.[m] === undefined ? '–' : formatNumber(r.metrics[m], 3)),
                ),
              ),
            ),
          ),
        ),
      ),
      simulation === undefined ? null : learningCurves(simulation),
    );
  }

  async function renderSample(): Promise<void> {
    const users = recentUsers().slice(0, 12);
    if (users.length === 0) {
      fill(
        sample,
        h('h2', null, 'Live feed sample'),
        h(
          'p',
          { class: 'muted' },
          'Open a few users (search above) and come back: this page samples their feeds.',
        ),
      );
      return;
    }
    const feeds = await Promise.all(users.map((u) => load(client.users.feed(u, { n: 20 }))));
    const failed = feeds.flatMap((f) => (f.ok ? [] : [f]));
    const ok = feeds.flatMap((f) => (f.ok ? [f.value] : [])) as FeedResponse[];
    if (ok.length === 0 && failed[0] !== undefined) {
      if (!ctx.active()) return;
      fill(sample, h('h2', null, 'Live feed sample'), unavailable('The feed sample', failed[0]));
      return;
    }
    const entries = ok.flatMap((f) => f.items);
    const sources = new Map<string, number>();
    for (const e of entries) sources.set(e.reason.source, (sources.get(e.reason.source) ?? 0) + 1);
    const distinctItems = new Set(entries.map((e) => e.itemId)).size;
    const records = await Promise.all([...new Set(entries.map((e) => e.itemId))].map((id) => itemRecord(id)));
    const creators = new Set(records.flatMap((r) => (r?.creatorId === undefined ? [] : [r.creatorId]))).size;
    const exploring = entries.filter((e) => e.reason.exploration).length;
    if (!ctx.active()) return;
    const share = (n: number): string =>
      entries.length === 0 ? '–' : `${formatNumber((100 * n) / entries.length, 1)}%`;
    fill(
      sample,
      h('h2', null, 'Live feed sample'),
      h(
        'p',
        { class: 'small muted' },
        `${ok.length} ${ok.length === 1 ? 'feed' : 'feeds'} of 20: `,
        users.map((u, k) => [k > 0 ? ', ' : '', link(userHref(u), u)]),
      ),
      failed[0] === undefined ? null : unavailable(`${failed.length} of ${users.length} feeds`, failed[0]),
      h(
        'section',
        { class: 'cards' },
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'label' }, 'Exploration share'),
          h('div', { class: 'value' }, share(exploring)),
        ),
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'label' }, 'Distinct items / slots'),
          h('div', { class: 'value' }, `${distinctItems} / ${entries.length}`),
        ),
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'label' }, 'Distinct creators'),
          h('div', { class: 'value' }, String(creators)),
        ),
      ),
      h('h3', null, 'Reason sources'),
      barChart(
        [...sources.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value })),
        { format: (v) => String(v) },
      ),
    );
  }
}

const CURVE_COLOURS: Record<string, string> = {
  setlist: '#d9480f',
  oracle: '#2b8a3e',
  popularity: '#1971c2',
  random: '#868e96',
};

/** The learning curve of every simulated policy: mean watch ratio per round. */
function learningCurves(report: SimulateReport): HTMLElement {
  const el = h('div', { class: 'chart learning-curves', id: 'learning-curves' });
  const rounds = Math.max(...report.policies.map((p) => p.curve.length));
  const data = [
    Array.from({ length: rounds }, (_, r) => r + 1),
    ...report.policies.map((p) => Array.from({ length: rounds }, (_, r) => p.curve[r] ?? null)),
  ];
  const section = h('div', null, h('h3', null, 'Learning curves (setlist simulate)'), el);
  requestAnimationFrame(() => {
    new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: 'round' }, { label: 'mean watch ratio' }],
        series: [
          {},
          ...report.policies.map((p) => ({
            label: p.name,
            stroke: CURVE_COLOURS[p.name] ?? '#495057',
            width: 2,
          })),
        ],
      },
      data as uPlot.AlignedData,
      el,
    );
  });
  return section;
}
