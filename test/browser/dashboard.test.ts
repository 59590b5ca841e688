import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadDemo } from '../../src/cli/demo.js';
import type { Engine } from '../../src/engine/engine.js';
import { buildApp } from '../../src/server/app.js';
import type { EventInput } from '../../src/types.js';
import { T0, tempDbPath, tempDir } from '../helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.SETLIST_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(repo, 'artifacts', 'screenshots');
const WIDTHS = [1280, 390] as const;
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') {
  throw new Error(
    `chromium is not installed at ${CHROMIUM}: CI must run the browser tests (see .ci/apt-packages).`,
  );
}
const skip = missing ? `chromium not found at ${CHROMIUM}; install it or set SETLIST_CHROMIUM` : false;
if (missing) console.error(`# browser tests skipped: ${skip}`);

describe('the dashboard in a browser', { skip, timeout: 180_000 }, () => {
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  const userDataDir = tempDir('setlist-chromium-');
  const webRoot = join(tempDir('setlist-web-'), 'web');
  const pageErrors: string[] = [];

  before(async () => {
    const built = spawnSync(process.execPath, [join(repo, 'scripts', 'build-web.mjs'), '--out', webRoot], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    engine = await loadDemo(tempDbPath('dashboard'), 42, T0);
    app = buildApp({ engine, webRoot });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 900 },
    });
  });

  after(async () => {
    await context?.close();
    await app?.close();
    await engine?.close();
  });

  const pages = new Map<number, Page>();

  /** Opens a path: the first time per width with a real load, then through the page's own router. */
  async function open(path: string, width: number): Promise<Page> {
    let page = pages.get(width);
    if (page === undefined) {
      page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${width} px: ${err.message}`));
      await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
      await page.goto(`${base}${path}`);
      pages.set(width, page);
    } else {
      await page.bringToFront();
      await page.evaluate((to) => {
        history.pushState(null, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }, path);
    }
    await page.waitForSelector('#view[data-loading="false"]');
    return page;
  }

  async function finish(page: Page, name: string, width: number): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${name} at ${width} px is ${overflow} px wider than the window`);
    // Phones see one screen at a time; the wide screenshots show the whole page.
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: width > 600 });
  }

  for (const width of WIDTHS) {
    test(`the overview shows the demo's counts and a live chart at ${width} px`, async () => {
      for (const user of ['u0001', 'u0002', 'beauty-vlogger']) {
        await app.inject({ method: 'GET', url: `/v1/users/${user}/feed?n=20` });
      }
      const page = await open('/?poll=300', width);
      await page.waitForFunction(
        () => document.querySelector('[data-metric="items"] .value')?.textContent === '2,411',
      );
      // Events arriving while the page polls show up as a rate above zero.
      const ingest = setInterval(() => {
        const at = T0 - 60_000;
        const events = Array.from({ length: 20 }, (_, k) => ({
          userId: `u000${k % 10}`,
          itemId: `v0000${k % 10}`,
          type: 'view',
          at,
        }));
        void app.inject({ method: 'POST', url: '/v1/events', payload: { events } });
      }, 100);
      try {
        await page.waitForFunction(() => {
          const text = document.querySelector('[data-metric="events-per-second"] .value')?.textContent ?? '';
          return Number.parseFloat(text.replace(/,/g, '')) > 0;
        });
      } finally {
        clearInterval(ingest);
      }
      assert.match((await page.textContent('[data-metric="feed-p99"] .value')) ?? '', /\d ms$/);
      assert.equal(await page.textContent('[data-metric="users"] .value'), '401');
      assert.equal(await page.textContent('[data-metric="creators"] .value'), '80');
      await page.waitForSelector('.time-chart canvas');
      assert.match((await page.textContent('#models table')) ?? '', /cooccurrence/);
      await finish(page, 'overview', width);
    });

    test(`a user page shows the feed with a reason on every item at ${width} px`, async () => {
      const page = await open('/users/beauty-vlogger', width);
      const reasons = await page.$$eval('#feed .ranked-item .reason', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
      assert.equal(reasons.length, 20);
      for (const text of reasons) assert.ok(text.length > 10, `a reason is too short: "${text}"`);
      // Exploration slots are drawn afresh for every request; the rest of the feed is the engine's.
      const explored = (text: string) =>
        text.startsWith('Trying something new') || text.startsWith('新内容试推');
      const expected = (await engine.feed('beauty-vlogger', 40)).items
        .map((e) => e.reason.text)
        .filter((t) => !explored(t));
      const shown = reasons.filter((t) => !explored(t));
      assert.deepEqual(shown.slice(0, 5), expected.slice(0, 5));
      for (const text of shown) assert.ok(expected.includes(text), `not an engine reason: ${text}`);
      const sources = await page.$$eval('#feed .badge.source', (els) => els.length);
      assert.equal(sources, 20);
      await page.waitForSelector('#facets canvas, #facets .na');
      await page.waitForSelector('#facets form#declare');
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#feed .ranked-item .title')).some((t) =>
          /[\u4e00-\u9fff]/.test(t.textContent ?? ''),
        ),
      );
      await finish(page, 'user', width);
    });

    test(`an item page shows visibility, labels and similar items at ${width} px`, async () => {
      const page = await open('/items/v00001', width);
      assert.equal(await page.getAttribute('#visibility [data-visibility]', 'data-visibility'), 'visible');
      await page.waitForSelector('#labels canvas, #labels .na, #labels [data-unknown]');
      const similar = await page.$$eval('#similar .ranked-item .reason', (els) => els.length);
      assert.ok(similar > 0, 'no similar items');
      assert.match((await page.textContent('#about')) ?? '', /creator-\d{3}/);
      await finish(page, 'item', width);
    });

    test(`the creator, trending and quality pages degrade gracefully at ${width} px`, async () => {
      for (const [path, name, selector] of [
        ['/creators/creator-000', 'creator', '#facets canvas, #facets .na, #facets li'],
        ['/trending', 'trending', '#trending .columns, #trending .na'],
        ['/quality', 'quality', '#reports table, #reports .na'],
      ] as const) {
        const page = await open(path, width);
        await page.waitForSelector(selector);
        assert.equal(await page.$('#view .error'), null, `${path} shows an error`);
        await finish(page, name, width);
      }
    });
  }

  test("the trending page shows the demo's rising clips and tags", async () => {
    const page = await open('/trending', 1280);
    await page.waitForSelector('#trending .ranked-item');
    const items = await page.$$eval('#trending .ranked-item', (els) => els.map((el) => el.textContent ?? ''));
    assert.equal(items.length, 3);
    for (const text of items) assert.match(text, /#徒步 #hiking/);
    // Each item's rate is said once, in its reason, not again on a line of its own.
    const trending = (await app.inject({ method: 'GET', url: '/v1/trending?n=20' })).json() as {
      items: { velocity: number }[];
    };
    items.forEach((text, k) => {
      const velocity = trending.items[k]?.velocity ?? Number.NaN;
      const times = velocity >= 10 ? Math.round(velocity).toString() : velocity.toFixed(1);
      assert.equal(text.split(times).length - 1, 1, `the rate ${times} is not said once in "${text}"`);
    });
    assert.match((await page.textContent('#trending')) ?? '', /徒步/);
  });

  test('hiding an item from its page changes its visibility and audit trail, and restoring undoes it', async () => {
    const page = await open('/items/v00002', 1280);
    await page.fill('#visibility input[name="reason"]', '审核中 under review');
    await page.click('#visibility button.hide');
    await page.waitForSelector('#visibility [data-visibility="hidden"]');
    assert.match((await page.textContent('#visibility table.audit')) ?? '', /hide.*审核中 under review/s);
    assert.equal((await engine.getItem('v00002')).visibility, 'hidden');
    await page.screenshot({ path: join(SCREENSHOTS, 'item-hidden-1280.png'), fullPage: true });
    await page.fill('#visibility input[name="reason"]', 'appeal accepted');
    await page.click('#visibility button.restore');
    await page.waitForSelector('#visibility [data-visibility="visible"]');
    assert.equal((await engine.getItem('v00002')).visibility, 'visible');
  });

  test('restoring an item needs no typed reason; hiding one still does', async () => {
    const page = await open('/items/v00004', 1280);
    await page.fill('#visibility input[name="reason"]', '   ');
    await page.click('#visibility button.hide');
    await page.waitForFunction(() =>
      document.querySelector('#visibility [data-role="message"]')?.textContent?.includes('Say why'),
    );
    assert.equal((await engine.getItem('v00004')).visibility, 'visible');
    await page.fill('#visibility input[name="reason"]', 'under review');
    await page.click('#visibility button.hide');
    await page.waitForSelector('#visibility [data-visibility="hidden"]');
    assert.equal(await page.inputValue('#visibility input[name="reason"]'), '');
    await page.click('#visibility button.restore');
    await page.waitForSelector('#visibility [data-visibility="visible"]');
    assert.equal((await engine.getItem('v00004')).visibility, 'visible');
    assert.match(
      (await page.textContent('#visibility table.audit')) ?? '',
      /restore.*restored from the dashboard/s,
    );
  });

  /** Answers every API call with a 401 unless it carries `key`; returns how many calls were refused. */
  async function requireKey(page: Page, key = 'sl_test_key_0123456789'): Promise<() => number> {
    let refused = 0;
    await page.route('**/v1/**', async (route) => {
      if (route.request().headers().authorization === `Bearer ${key}`) return route.continue();
      refused++;
      const error = { code: 'SETLIST_ERR_UNAUTHORIZED', message: 'This route needs an API key.' };
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error }) });
    });
    return () => refused;
  }

  test('searching an id opens the matching page', async () => {
    const page = await open('/', 1280);
    await page.fill('form.search input', 'v00003');
    await page.press('form.search input', 'Enter');
    await page.waitForURL(/\/items\/v00003$/);
    await page.fill('form.search input', 'beauty-vlogger');
    await page.press('form.search input', 'Enter');
    await page.waitForURL(/\/users\/beauty-vlogger$/);
    await page.waitForSelector('#feed .ranked-item');
  });

  test('a search has its own address, title and tab, and stops the overview polling', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`search: ${err.message}`));
    let polls = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/status')) polls++;
    });
    await page.goto(`${base}/?poll=100`);
    await page.waitForSelector('#models table');
    await page.fill('form.search input', 'nobody-at-all');
    await page.press('form.search input', 'Enter');
    await page.waitForFunction(() =>
      document.querySelector('#view')?.textContent?.includes('No item or user'),
    );
    assert.match(page.url(), /\/search\?q=nobody-at-all$/);
    assert.equal(await page.title(), 'Search · setlist');
    assert.equal(await page.$('header nav a.current'), null);
    const seen = polls;
    // Nothing to wait for: the overview polled every 100 ms, so 600 ms without a poll shows it stopped.
    await page.waitForTimeout(600);
    assert.equal(polls, seen, 'the overview still polls under the search result');
    await page.close();
  });

  test('a search the server could not answer says so instead of "no such id"', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`search offline: ${err.message}`));
    await page.goto(`${base}/trending`);
    await page.waitForSelector('#trending .columns');
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.fill('form.search input', 'v00003');
    await page.press('form.search input', 'Enter');
    await page.waitForSelector('#view [data-state="offline"]');
    assert.doesNotMatch((await page.textContent('#view')) ?? '', /No item or user/);
    await page.unroute('**/v1/**');
    await requireKey(page);
    await page.fill('form.search input', 'v00003');
    await page.press('form.search input', 'Enter');
    await page.waitForSelector('#key-prompt [data-role="api-key"] input');
    await page.waitForSelector('#view [data-state="unauthorized"]');
    assert.doesNotMatch((await page.textContent('#view')) ?? '', /No item or user/);
    await page.close();
  });

  test('muting a facet on the user page mutes it in the engine', async () => {
    const page = await open('/users/u0003', 1280);
    const facet = await page.getAttribute('#facets li[data-facet]:not(.muted-facet)', 'data-facet');
    assert.ok(facet !== null, 'u0003 has no facet to mute');
    await page.click(`#facets li[data-facet="${facet}"] button`);
    await page.waitForSelector(`#facets li[data-facet="${facet}"].muted-facet`);
    const profile = await engine.profile('u0003');
    assert.equal(profile.facets.find((f) => f.id === facet)?.muted, true);
  });

  test('a declared interest shows on the user page with its weight at once, and removing it removes it', async () => {
    const page = await open('/users/u0004', 1280);
    await page.waitForSelector('#facets form#declare');
    assert.equal(await page.$('#declared li'), null);
    await page.fill('#declare input[name="tag"]', '徒步 hiking');
    await page.fill('#declare input[name="weight"]', '0.5');
    await page.click('#declare button');
    await page.waitForSelector('#declared li[data-tag="徒步 hiking"]');
    assert.match((await page.textContent('#declared li')) ?? '', /徒步 hiking \+0\.50/);
    assert.deepEqual((await engine.profile('u0004')).declared, [{ tag: '徒步 hiking', weight: 0.5 }]);
    await page.click('#declared li[data-tag="徒步 hiking"] button');
    await page.waitForFunction(() => document.querySelector('#declared li') === null);
    assert.deepEqual((await engine.profile('u0004')).declared, []);
  });

  test('the pages render the documented shapes of profiles, labels, creators and trending', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`shapes: ${err.message}`));
    const muted = new Set<string>();
    const declared = new Map<string, number>();
    const patches: unknown[] = [];
    const profile = () => ({
      facets: [
        {
          id: 'f-beauty',
          label: '美妆 beauty',
          weight: 0.72,
          tags: ['美妆', 'makeup'],
          examples: ['v00001'],
          muted: muted.has('f-beauty'),
        },
        {
          id: 'f-retro',
          label: '复古游戏 retro',
          weight: 0.28,
          tags: ['复古游戏'],
          examples: [],
          muted: muted.has('f-retro'),
        },
      ],
      declared: [...declared].map(([tag, weight]) => ({ tag, weight })),
      muted: [...muted],
    });
    const json = (body: unknown) => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify(body),
    });
    await page.route('**/v1/users/beauty-vlogger/profile', async (route) => {
      if (route.request().method() === 'PATCH') {
        const body = route.request().postDataJSON() as {
          mute?: string[];
          unmute?: string[];
          declare?: { tag: string; weight: number }[];
        };
        patches.push(body);
        for (const id of body.mute ?? []) muted.add(id);
        for (const id of body.unmute ?? []) muted.delete(id);
        for (const d of body.declare ?? []) {
          if (d.weight === 0) declared.delete(d.tag);
          else declared.set(d.tag, d.weight);
        }
      }
      await route.fulfill(json(profile()));
    });
    await page.route('**/v1/items/v00001/labels', (route) =>
      route.fulfill(
        json({
          labels: [
            { tag: '美妆', confidence: 0.91 },
            { tag: 'makeup', confidence: 0.84 },
          ],
          unknown: false,
        }),
      ),
    );
    await page.route('**/v1/items/v-lowinfo-0/labels', (route) =>
      route.fulfill(json({ labels: [], unknown: true })),
    );
    await page.route('**/v1/creators/creator-000/profile', (route) =>
      route.fulfill(
        json({
          creatorId: 'creator-000',
          itemCount: 31,
          facets: [
            { label: '美食 food', weight: 0.6, itemCount: 19, tags: ['美食'] },
            { label: 'hiking', weight: 0.4 },
          ],
        }),
      ),
    );
    await page.route('**/v1/trending?*', (route) =>
      route.fulfill(
        json({
          items: [
            {
              itemId: 'v00001',
              score: 3.2,
              velocity: 4.1,
              reason: 'rising: 12 new viewers in the last hour',
            },
            { itemId: 'v00002', score: 2.5, velocity: 2.5 },
          ],
          tags: [{ tag: '美妆', score: 2.1, velocity: 3 }],
        }),
      ),
    );
    const evalReport = {
      source: 'ml-latest-small',
      models: [
        { kind: 'popularity', test: { ndcg10: 0.144, recall20: 0.18, users: 601 } },
        { kind: 'ease', test: { ndcg10: 0.263, recall20: 0.306, users: 601 } },
      ],
      blend: { test: { ndcg10: 0.27, recall20: 0.31, users: 601 } },
    };
    const simulateReport = {
      name: 'simulate',
      policies: [
        {
          name: 'setlist',
          curve: [0.3, 0.45, 0.55],
          lastQuarter: 0.55,
          oracleShare: 0.72,
          newItems: { share: 0.95 },
        },
        {
          name: 'oracle',
          curve: [0.75, 0.76, 0.77],
          lastQuarter: 0.77,
          oracleShare: 1,
          newItems: { share: 0.2 },
        },
      ],
    };
    await page.route('**/v1/quality', (route) =>
      route.fulfill(json({ reports: [evalReport, simulateReport] })),
    );
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${base}/users/beauty-vlogger`);
    await page.waitForSelector('#facets canvas');
    assert.equal(await page.$$eval('#facets li[data-facet]', (els) => els.length), 2);
    await page.click('#facets li[data-facet="f-retro"] button');
    await page.waitForSelector('#facets li[data-facet="f-retro"].muted-facet');
    await page.fill('#declare input[name="tag"]', 'hiking');
    await page.click('#declare button');
    await page.waitForSelector('#declared li[data-tag="hiking"]');
    await page.waitForFunction(() =>
      document.querySelector('#feed p.small')?.textContent?.includes('20 items'),
    );
    assert.deepEqual(patches, [{ mute: ['f-retro'] }, { declare: [{ tag: 'hiking', weight: 1 }] }]);
    await page.screenshot({ path: join(SCREENSHOTS, 'user-facets-1280.png') });

    await page.goto(`${base}/items/v00001`);
    await page.waitForSelector('#labels canvas');
    assert.equal(await page.$('#labels [data-unknown]'), null);
    await page.screenshot({ path: join(SCREENSHOTS, 'item-labels-1280.png') });
    await page.goto(`${base}/items/v-lowinfo-0`);
    await page.waitForSelector('#labels [data-unknown="true"]');
    assert.match((await page.textContent('#labels')) ?? '', /unknown/);

    await page.goto(`${base}/creators/creator-000`);
    await page.waitForSelector('#facets canvas');
    assert.match((await page.textContent('#facets')) ?? '', /美食 food weight 0\.60, 19 items/);
    await page.screenshot({ path: join(SCREENSHOTS, 'creator-facets-1280.png') });

    await page.goto(`${base}/trending`);
    await page.waitForSelector('#trending canvas');
    const rising = await page.$$eval('#trending .ranked-item', (els) =>
      els.map((el) => el.textContent ?? ''),
    );
    assert.equal(rising.length, 2);
    // A reason is shown as given; an item without one shows its rate instead.
    assert.match(rising[0] ?? '', /rising: 12 new viewers in the last hour/);
    assert.doesNotMatch(rising[0] ?? '', /usual rate/);
    assert.match(rising[1] ?? '', /×2\.5 its usual rate/);
    await page.screenshot({ path: join(SCREENSHOTS, 'trending-shapes-1280.png') });

    await page.goto(`${base}/quality`);
    await page.waitForSelector('#reports table');
    const rows = await page.$$eval('#reports .table-wrap tbody tr', (trs) =>
      trs.map((tr) => tr.textContent ?? ''),
    );
    assert.equal(rows.length, 5);
    assert.match(rows[1] ?? '', /ease · ml-latest-small.*0\.263.*0\.306/);
    assert.match(rows[3] ?? '', /simulate: setlist.*0\.55/);
    await page.waitForSelector('#learning-curves canvas');
    await page.screenshot({ path: join(SCREENSHOTS, 'quality-reports-1280.png') });
    await page.close();
  });

  test("the overview chart's time axis reads as clock times from its first seconds", async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`time axis: ${err.message}`));
    // uPlot draws its axes on the canvas: record every text it draws.
    await page.addInitScript(() => {
      const drawn: string[] = [];
      (window as unknown as { drawnTexts: string[] }).drawnTexts = drawn;
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        drawn.push(String(text));
        return fillText.call(this, text, ...rest);
      };
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/?poll=200`);
    await page.waitForSelector('.time-chart canvas');
    // A few polls, all within a second: the span at which uPlot's own ticks read ":42.700".
    await page.waitForTimeout(700);
    const texts = await page.evaluate(() => (window as unknown as { drawnTexts: string[] }).drawnTexts);
    const clock = texts.filter((t) => /^\d{2}:\d{2}:\d{2}$/.test(t));
    assert.ok(clock.length >= 2, `no clock-time ticks among ${JSON.stringify(texts)}`);
    const odd = texts.filter((t) => /^:\d|\.\d{3}$|[ap]m$/.test(t));
    assert.deepEqual(odd, [], 'ticks in sub-second or date form');
    await page.close();
  });

  test('a stopped server shows a full-width "cannot reach" banner, and old figures only as not current', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`offline: ${err.message}`));
    await page.setViewportSize({ width: 1280, height: 900 });
    // The quality page samples the feeds of users opened before.
    await page.goto(`${base}/users/u0001`);
    await page.waitForSelector('#feed .ranked-item');
    await page.goto(`${base}/?poll=300`);
    await page.waitForSelector('#models table');
    assert.equal(await page.isHidden('#connection'), true);

    // Everything the page asks for fails, as it does when the server is stopped.
    await page.route('**/*', (route) => route.abort('connectionrefused'));
    await page.waitForSelector('#connection:not([hidden])');
    assert.match((await page.textContent('#connection')) ?? '', /Cannot reach the server/);
    const banner = await page.$eval('#connection', (el) => el.getBoundingClientRect().width);
    assert.ok(
      banner >= (await page.evaluate(() => document.documentElement.clientWidth)) - 1,
      'not full width',
    );
    await page.waitForSelector('#status-notice [data-state="stale"]');
    assert.match((await page.textContent('#status-notice')) ?? '', /Not current/);
    assert.equal(await page.getAttribute('#models', 'data-stale'), 'true');
    assert.equal(await page.getAttribute('.cards', 'data-stale'), 'true');
    assert.equal(await page.$('.cards .error'), null, 'the error is squeezed into a card');
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-offline-1280.png'), fullPage: true });

    await page.click('header nav a[href="/quality"]');
    await page.waitForSelector('#sample [data-state="offline"]');
    assert.doesNotMatch((await page.textContent('#sample')) ?? '', /\d+ feeds? of 20/);
    await page.screenshot({ path: join(SCREENSHOTS, 'quality-offline-1280.png'), fullPage: true });

    await page.unroute('**/*');
    await page.click('header nav a[href="/"]');
    await page.waitForSelector('#connection', { state: 'hidden' });
    await page.waitForSelector('#models table');
    assert.equal(await page.getAttribute('#models', 'data-stale'), null);
    await page.close();
  });

  test("a user page's feed can be refreshed after the server stopped, and the banner clears when it answers", async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`feed retry: ${err.message}`));
    await page.goto(`${base}/users/u0002`);
    await page.waitForSelector('#feed .ranked-item');
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.click('#feed button:has-text("refresh")');
    await page.waitForSelector('#feed [data-state="offline"]');
    await page.waitForSelector('#connection:not([hidden])');
    await page.unroute('**/v1/**');
    await page.click('#feed button:has-text("refresh")');
    await page.waitForSelector('#feed .ranked-item');
    await page.waitForSelector('#connection', { state: 'hidden' });
    assert.equal(await page.$('#feed [data-state="offline"]'), null);
    await page.close();
  });

  test('no page logs a console error, the icon included', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error')
        errors.push(`${page.url()}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (err) => pageErrors.push(`console: ${err.message}`));
    for (const path of [
      '/?poll=60000',
      '/users/beauty-vlogger',
      '/items/v00001',
      '/creators/creator-000',
      '/trending',
      '/quality',
      '/no/such/page',
    ]) {
      await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
      await page.waitForSelector('#view[data-loading="false"]');
    }
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('a server that wants an API key gets one typed into the page', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`api key: ${err.message}`));
    const seen: (string | undefined)[] = [];
    await page.route('**/v1/status', async (route) => {
      const auth = route.request().headers().authorization;
      seen.push(auth);
      if (auth === 'Bearer sl_test_key_0123456789') return route.continue();
      const error = { code: 'SETLIST_ERR_UNAUTHORIZED', message: 'This route needs an API key.' };
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error }) });
    });
    await page.goto(`${base}/?poll=60000`);
    await page.waitForSelector('[data-role="api-key"] input');
    await page.fill('[data-role="api-key"] input', 'sl_test_key_0123456789');
    await page.click('[data-role="api-key"] button');
    await page.waitForFunction(
      () => document.querySelector('[data-metric="items"] .value')?.textContent === '2,411',
    );
    assert.equal(seen[0], undefined);
    assert.equal(seen[seen.length - 1], 'Bearer sl_test_key_0123456789');
    await page.evaluate(() => localStorage.removeItem('setlist.apiKey'));
    await page.close();
  });

  test('the overview keeps the key prompt, what is typed and its focus while it polls', async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`key prompt: ${err.message}`));
    const refused = await requireKey(page);
    await page.goto(`${base}/?poll=100`);
    await page.waitForSelector('[data-role="api-key"] input');
    await page.click('[data-role="api-key"] input');
    await page.keyboard.type('sl_test_key_01234');
    const before = refused();
    while (refused() < before + 6) await page.waitForRequest('**/v1/status');
    assert.equal(await page.$$eval('[data-role="api-key"]', (els) => els.length), 1);
    assert.equal(await page.inputValue('[data-role="api-key"] input'), 'sl_test_key_01234');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'apiKey');
    await page.keyboard.type('56789');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-metric="items"] .value')?.textContent === '2,411',
    );
    assert.equal(await page.isHidden('#key-prompt'), true);
    await page.evaluate(() => localStorage.removeItem('setlist.apiKey'));
    await page.close();
  });

  test('an item with an empty caption is headed by its id, and its tags are labelled as tags', async () => {
    await engine.putItems({
      items: [{ id: 'v-no-caption', caption: '', tags: ['徒步'], createdAt: T0 - 60_000 }],
    });
    const page = await open('/items/v-no-caption', 1280);
    assert.equal(await page.textContent('#about h2'), 'v-no-caption');
    const labels = await page.$$eval('#about dt', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, ['creator', 'tags', 'created']);
  });

  /** Fails if any panel, or any table's scroll box, is wider than its box: content ran out of it. */
  async function assertContained(page: Page, name: string): Promise<void> {
    const spills = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#view .panel, #view .table-wrap, #view h1'))
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.id || el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`),
    );
    assert.deepEqual(spills, [], `${name}: content runs out of its panel`);
  }

  test('ids of 256 characters and captions without spaces wrap inside their panels on every page', async () => {
    const itemId = `v-${'x'.repeat(248)}`;
    const creatorId = `creator-${'c'.repeat(192)}`;
    const userId = 'U'.repeat(256);
    await engine.putItems({
      items: [
        {
          id: itemId,
          creatorId,
          caption: `${'A'.repeat(300)} ${'超长标题没有空格'.repeat(30)} #美妆`,
          tags: ['美妆', 't'.repeat(64)],
          createdAt: T0 - 3_600_000,
        },
      ],
    });
    // The long user likes it; viewers who like it and three beauty clips make those clips its
    // co-occurrence neighbours, which the long user's feed recommends "because" of it.
    const events: EventInput[] = [{ userId, itemId, type: 'like', at: T0 - 700_000 }];
    for (let k = 1; k < 40; k++) {
      for (const item of [itemId, 'v00001', 'v00010', 'v00028']) {
        events.push({
          userId: `long-id-viewer-${k}`,
          itemId: item,
          type: 'like',
          at: T0 - 600_000 + k * 1_000,
        });
      }
    }
    await engine.ingest({ events });
    await engine.patchItem(
      itemId,
      { visibility: 'hidden', reason: 'r'.repeat(600) },
      { actor: `moderator-${'m'.repeat(240)}` },
    );
    await engine.patchItem(itemId, { visibility: 'visible', reason: 'back' });
    const cited = (await engine.feed(userId, 20)).items.some((e) => e.reason.because?.includes(itemId));
    assert.ok(cited, "the long user's feed does not cite the long item: the fixture no longer tests it");
    for (const width of WIDTHS) {
      for (const [path, name] of [
        [`/items/${encodeURIComponent(itemId)}`, 'long-item'],
        [`/users/${userId}`, 'long-user'],
        [`/creators/${creatorId}`, 'long-creator'],
        ['/trending', 'long-trending'],
        ['/quality', 'long-quality'],
      ] as const) {
        const page = await open(path, width);
        // Titles and creator links arrive with each item's record, after the list is drawn.
        await page.waitForTimeout(300);
        await assertContained(page, `${name} at ${width} px`);
        await finish(page, name, width);
      }
    }
  });

  test('no page threw an uncaught error', () => {
    assert.deepEqual(pageErrors, []);
  });
});
