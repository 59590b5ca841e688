import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemId, ItemRecord } from '../types.js';
import { buildReason, type ReasonContext, type ReasonSource } from './reasons.js';

const item = (id: string, caption: string, tags: string[]): ItemRecord => ({
  id: id as ItemId,
  caption,
  tags,
  createdAt: 0,
  updatedAt: 0,
  visibility: 'visible',
});
const chinese = item('zh1', '口红试色 第3期', ['美妆']);
const english = item('en1', 'lipstick swatches, part 3', ['makeup']);
const SOURCES: ReasonSource[] = [
  'co-occurrence',
  'model',
  'follow',
  'declared',
  'facet',
  'popular',
  'fresh',
  'similar-tags',
  'same-creator',
  'fallback',
  'discovery',
];
const HAN = /[\u4e00-\u9fff]/;
/** A reason's own words, without the quoted titles, facets and tags it carries. */
const ownWords = (text: string) => text.replace(/「[^」]*」|“[^”]*”|[:：].*$/g, '');

test("a reason is written in the viewer's language when given, else in its item's", () => {
  for (const source of SOURCES) {
    for (const exploration of [false, true]) {
      const context = (record: ItemRecord): ReasonContext => ({
        source,
        record,
        because: [{ id: 'b', record: english }],
        facet: 'makeup',
        tag: 'makeup',
        exploration,
      });
      const cases: [ReasonContext, boolean][] = [
        [context(chinese), true],
        [context(english), false],
        [{ ...context(chinese), lang: 'en' }, false],
        [{ ...context(english), lang: 'zh' }, true],
        [{ ...context(chinese), lang: 'zh' }, true],
        [{ ...context(english), lang: 'en' }, false],
      ];
      for (const [ctx, zh] of cases) {
        const text = buildReason(ctx).text;
        const words = ownWords(text);
        assert.equal(HAN.test(words), zh, `${source} ${ctx.lang ?? 'item'}: ${text}`);
        assert.equal(/[A-Za-z]{3}/.test(words), !zh, `${source} ${ctx.lang ?? 'item'}: ${text}`);
      }
    }
  }
});

test('a reason neither cites nor quotes a hidden item, and without a visible one names none', () => {
  const hidden: ItemRecord = { ...item('gone', 'taken down clip', ['makeup']), visibility: 'hidden' };
  for (const source of SOURCES) {
    for (const forItem of [false, true]) {
      for (const lang of ['en', 'zh'] as const) {
        const base = { source, record: english, facet: 'makeup', tag: 'makeup', forItem, lang };
        const mixed = buildReason({
          ...base,
          because: [
            { id: 'gone', record: hidden },
            { id: 'en1', record: english },
          ],
        });
        assert.ok(!mixed.text.includes('taken down'), mixed.text);
        assert.notDeepEqual(mixed.because, ['gone', 'en1']);
        const only = buildReason({ ...base, because: [{ id: 'gone', record: hidden }] });
        assert.equal(only.because, undefined);
        assert.deepEqual(only, buildReason(base), `${source} ${lang}`);
        assert.ok(!/“”|「」/.test(only.text), `${source} ${lang}: ${only.text}`);
      }
    }
  }
  const cited = buildReason({
    source: 'co-occurrence',
    record: english,
    because: [
      { id: 'gone', record: hidden },
      { id: 'en1', record: english },
    ],
  });
  assert.deepEqual(cited.because, ['en1']);
  assert.equal(cited.text, 'People who watched “lipstick swatches, part …” also watched this');
});
