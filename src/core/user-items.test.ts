import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { UserItemPages, UserItems, UserItemTables } from './user-items.js';

test('entries keep their fields through growth and past the indexed size, in first-seen order', () => {
  const t = new UserItems();
  const items = Array.from({ length: 300 }, (_, k) => (k * 7919) % 100_003);
  for (const [k, item] of items.entries()) {
    const e = t.insert(item);
    t.setWeight(e, k / 10);
    t.setLastAt(e, 1_700_000_000_000 + k);
    t.setJudged(e, (k % 3) - 1);
  }
  assert.equal(t.size, 300);
  for (const [k, item] of items.entries()) {
    const e = t.find(item);
    assert.equal(e, k);
    assert.equal(t.item(e), item);
    assert.equal(t.weight(e), k / 10);
    assert.equal(t.lastAt(e), 1_700_000_000_000 + k);
    assert.equal(t.judged(e), (k % 3) - 1);
    assert.ok(Number.isNaN(t.credit(e)));
    assert.equal(t.trendAt(e), Number.NEGATIVE_INFINITY);
  }
  assert.equal(t.find(5), -1);
});

test('a judgement set on an item does not make its neighbours findable', () => {
  const t = new UserItems();
  t.setJudged(t.insert(10), 1);
  t.setJudged(t.insert(12), -1);
  assert.equal(t.find(11), -1);
  assert.equal(t.find(9), -1);
  assert.equal(t.find(10), 0);
  assert.equal(t.find(12), 1);
  assert.equal(t.judged(0), 1);
  assert.equal(t.judged(1), -1);
});

test('tables sharing pages keep their own entries through growth, and reuse the blocks others left', () => {
  const pages = new UserItemTables(new UserItemPages(256));
  const tables = Array.from({ length: 40 }, () => new UserItems(pages));
  // Interleaved inserts: every table grows through the same block sizes, one of them past a page.
  for (let k = 0; k < 120; k++) {
    for (const [u, t] of tables.entries()) {
      if (u > 0 && k >= 30) continue;
      const e = t.insert(u * 1_000 + k);
      t.setWeight(e, u + k / 1_000);
    }
  }
  for (const [u, t] of tables.entries()) {
    assert.equal(t.size, u === 0 ? 120 : 30);
    for (let e = 0; e < t.size; e++) {
      assert.equal(t.item(e), u * 1_000 + e);
      assert.equal(t.weight(e), u + e / 1_000);
      assert.equal(t.find(u * 1_000 + e), e);
    }
  }
  // Tables filled one after another take the blocks the previous ones outgrew.
  const sequential = new UserItemTables(new UserItemPages(256));
  const filled = Array.from({ length: 40 }, () => {
    const t = new UserItems(sequential);
    for (let k = 0; k < 30; k++) t.insert(k);
    return t;
  });
  const live = filled.reduce((sum, t) => sum + t.byteLength, 0);
  assert.ok(
    sequential.pages.byteLength < 1.25 * live,
    `${sequential.pages.byteLength} bytes of pages for ${live} in tables`,
  );
});

test('the recent list keeps the last pushed items, oldest first, and drops a removed one', () => {
  const pages = new UserItemTables(new UserItemPages(256));
  const t = new UserItems(pages);
  const other = new UserItems(pages);
  assert.deepEqual(t.recent(), []);
  for (let k = 0; k < 12; k++) {
    t.pushRecent(k, 5);
    other.pushRecent(100 + k, 50);
  }
  assert.deepEqual(t.recent(), [7, 8, 9, 10, 11]);
  t.removeRecent(9);
  t.removeRecent(42);
  assert.deepEqual(t.recent(), [7, 8, 10, 11]);
  t.pushRecent(3, 5);
  t.pushRecent(4, 5);
  assert.deepEqual(t.recent(), [8, 10, 11, 3, 4]);
  assert.equal(t.recentCount, 5);
  assert.deepEqual(
    other.recent(),
    Array.from({ length: 12 }, (_, k) => 100 + k),
  );
});

test('a recent list limited to nothing stays empty', () => {
  const t = new UserItems();
  t.pushRecent(1, 0);
  assert.deepEqual(t.recent(), []);
});

test('pages that released blocks left mostly empty are emptied and reused, every table keeping its entries and recent list', () => {
  const tables = new UserItemTables(new UserItemPages(64));
  const count = 200;
  for (let t = 0; t < count; t++) tables.create();
  // Interleaved growth: every table leaves blocks of each smaller size behind, scattered over the pages.
  for (let k = 0; k < 40; k++) {
    for (let t = 0; t < count; t++) {
      if (k >= 5 + (t % 36)) continue;
      const e = tables.insert(t, t * 1_000 + k);
      tables.setWeight(t, e, t + k / 100);
      tables.setLastAt(t, e, 1_700_000_000_000 + k);
      tables.pushRecent(t, t * 1_000 + k, 10);
    }
  }
  let live = 0;
  for (let t = 0; t < count; t++) {
    const size = 5 + (t % 36);
    assert.equal(tables.size(t), size);
    for (let e = 0; e < size; e++) {
      assert.equal(tables.item(t, e), t * 1_000 + e);
      assert.equal(tables.weight(t, e), t + e / 100);
      assert.equal(tables.lastAt(t, e), 1_700_000_000_000 + e);
      assert.equal(tables.find(t, t * 1_000 + e), e);
    }
    assert.deepEqual(
      tables.recent(t),
      Array.from({ length: Math.min(10, size) }, (_, r) => t * 1_000 + size - Math.min(10, size) + r),
    );
    live += tables.byteLength(t);
  }
  assert.ok(
    tables.pages.byteLength < 1.3 * live,
    `${tables.pages.byteLength} bytes of pages for ${live} in tables`,
  );
});

test('a table follows each creator once, in the order first followed, beside its entries and recent list', () => {
  const tables = new UserItemTables(new UserItemPages(64));
  const [t, other] = [tables.create(), tables.create()];
  assert.equal(tables.followCount(t), 0);
  for (const creator of [5, 3, 5, 9, 3, 11, 2, 7, 9]) tables.follow(t, creator);
  tables.follow(other, 4);
  tables.pushRecent(t, 1, 5);
  tables.insert(t, 1);
  assert.deepEqual(tables.followed(t), [5, 3, 9, 11, 2, 7]);
  assert.equal(tables.followCount(t), 6);
  assert.deepEqual(tables.followed(other), [4]);
  assert.deepEqual(tables.recent(t), [1]);
});

test('pages past what an int32 address can reach are refused instead of aliasing the first ones', () => {
  const pages = new UserItemPages(1); // pages of 5 floats: every block of 2 floats or more gets a page of its own
  const addresses = new Set<number>();
  for (let p = 0; p < 2 ** 14; p++) addresses.add(pages.allocate(2));
  assert.equal(addresses.size, 2 ** 14);
  assert.throws(() => pages.allocate(2), RangeError);
});

test('tables, recent and followed lists keep their contents through seeded growth, moves and page reuse', () => {
  checkSeededTables({ pageEntries: 16, count: 300, steps: 40_000, items: 5_000 });
});

test('blocks released in a page that was emptied are never handed out, through sweeps of the released lists', () => {
  // Thousands of small tables: over a thousand released blocks turn stale, and the lists are swept.
  checkSeededTables({ pageEntries: 256, count: 3_000, steps: 200_000, items: 400 });
});

function checkSeededTables(o: { pageEntries: number; count: number; steps: number; items: number }): void {
  const random = createRandom(11);
  const tables = new UserItemTables(new UserItemPages(o.pageEntries));
  const count = o.count;
  const items: number[][] = [];
  const recents: number[][] = [];
  const follows: number[][] = [];
  for (let t = 0; t < count; t++) {
    tables.create();
    items.push([]);
    recents.push([]);
    follows.push([]);
  }
  // Skewed, interleaved operations: a few tables grow large while most grow through every small size.
  for (let step = 0; step < o.steps; step++) {
    const t = Math.floor(count * random.next() ** 3);
    const op = random.int(3);
    const item = random.int(o.items);
    if (op === 0 && tables.find(t, item) < 0) {
      tables.setWeight(t, tables.insert(t, item), item / 7);
      items[t]!.push(item);
    } else if (op === 1) {
      tables.pushRecent(t, item, 12);
      recents[t]!.push(item);
      if (recents[t]!.length > 12) recents[t]!.shift();
    } else if (op === 2 && !follows[t]!.includes(item % 50)) {
      tables.follow(t, item % 50);
      follows[t]!.push(item % 50);
    }
  }
  for (let t = 0; t < count; t++) {
    assert.equal(tables.size(t), items[t]!.length);
    for (const [e, item] of items[t]!.entries()) {
      assert.equal(tables.item(t, e), item);
      assert.equal(tables.weight(t, e), item / 7);
    }
    assert.deepEqual(tables.recent(t), recents[t]);
    assert.deepEqual(tables.followed(t), follows[t]);
  }
}

test('trend times read back to the millisecond, a never-counted item as -Infinity, across a moving base', () => {
  const tables = new UserItemTables(new UserItemPages(64));
  const t = tables.create();
  const day = 86_400_000;
  const start = 1_700_000_000_123;
  const [a, b, c] = [tables.insert(t, 1), tables.insert(t, 2), tables.insert(t, 3)];
  assert.equal(tables.trendAt(t, a), Number.NEGATIVE_INFINITY);
  tables.setTrendAt(t, a, start);
  tables.setTrendAt(t, b, start + 20 * day + 7);
  assert.equal(tables.trendAt(t, a), start);
  assert.equal(tables.trendAt(t, b), start + 20 * day + 7);
  // Forty days on, the base moves: the 20-day-old time still reads exactly, the 40-day-old one as never.
  tables.setTrendAt(t, c, start + 40 * day + 11);
  assert.equal(tables.trendAt(t, c), start + 40 * day + 11);
  assert.equal(tables.trendAt(t, b), start + 20 * day + 7);
  assert.equal(tables.trendAt(t, a), Number.NEGATIVE_INFINITY);
  tables.setTrendAt(t, b, Number.NEGATIVE_INFINITY);
  assert.equal(tables.trendAt(t, b), Number.NEGATIVE_INFINITY);
  // The item and its judgement share the trend time's float without touching it.
  tables.setJudged(t, c, -1);
  assert.equal(tables.item(t, c), 3);
  assert.equal(tables.trendAt(t, c), start + 40 * day + 11);
});

test('an item index beyond what an entry packs is refused', () => {
  const t = new UserItems();
  t.insert(2 ** 29 - 1);
  assert.equal(t.item(0), 2 ** 29 - 1);
  assert.throws(() => t.insert(2 ** 29), RangeError);
});
