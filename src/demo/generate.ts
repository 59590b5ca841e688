import { createRandom, type Random } from '../core/random.js';
import { DEMO_TOPICS, LOW_INFORMATION_CAPTIONS } from './topics.js';

export interface DemoOptions {
  seed: number;
  creators: number;
  items: number;
  users: number;
  eventsPerUser: number;
  /** The demo's "now": items and events are spread over the 30 days before it. */
  nowMs: number;
}

export const DEFAULT_DEMO_OPTIONS: Omit<DemoOptions, 'nowMs'> = {
  seed: 42,
  creators: 80,
  items: 2_400,
  users: 400,
  eventsPerUser: 45,
};

export interface DemoItem {
  id: string;
  creatorId: string;
  caption: string;
  tags: string[];
  category?: string;
  createdAt: number;
  durationMs: number;
}

export interface DemoEvent {
  id: string;
  userId: string;
  itemId: string;
  type: 'view' | 'like' | 'share' | 'skip' | 'follow' | 'comment';
  at: number;
  watchRatio?: number;
}

export interface DemoPlatform {
  items: DemoItem[];
  users: { id: string; traits: Record<string, string> }[];
  events: DemoEvent[];
  /** Each user's true interests (topic id -> weight), for the simulator and for checking. */
  tastes: Map<string, Map<string, number>>;
}

const DAY = 24 * 3600 * 1000;

/**
 * Generates a reproducible demo platform: creators with 1 to 3 topics, bilingual captions and
 * hashtags, users with several interests, a handful of low-information items, and a history of
 * events drawn from the users' tastes. It includes the story user `beauty-vlogger`: 20 beauty views
 * and then 8 retro-game views; and a rising trend: three new hiking clips that forty users watched in
 * the last 90 minutes.
 */
export function generateDemoPlatform(options: DemoOptions): DemoPlatform {
  const rng = createRandom(options.seed);
  const topics = DEMO_TOPICS;
  const creators = Array.from({ length: options.creators }, (_, c) => {
    const count = 1 + rng.int(3);
    const chosen = rng.shuffle([...topics.keys()]).slice(0, count);
    return { id: `creator-${pad(c, 3)}`, topics: chosen, fame: 0.2 + rng.next() ** 3 * 3 };
  });

  const items: DemoItem[] = [];
  const itemsByTopic = new Map<number, number[]>();
  for (let k = 0; k < options.items; k++) {
    const creator = creators[rng.int(creators.length)]!;
    const t = creator.topics[rng.int(creator.topics.length)]!;
    const topic = topics[t]!;
    const phrase = topic.phrases[rng.int(topic.phrases.length)]!;
    const emoji = topic.emoji[rng.int(topic.emoji.length)]!;
    const style = rng.int(3);
    const caption =
      style === 0
        ? `${phrase} ${emoji} #${topic.zh} #${topic.en}`
        : style === 1
          ? `${phrase} 第${1 + rng.int(30)}期 #${topic.zh}`
          : `${emoji} ${phrase} #${topic.en}`;
    // A few items are brand new so the feed has fresh picks.
    const ageMs = k % 25 === 0 ? rng.next() * 1.5 * DAY : rng.next() * 30 * DAY;
    items.push({
      id: `v${pad(k, 5)}`,
      creatorId: creator.id,
      caption,
      tags: [topic.zh, topic.en],
      category: topic.id,
      createdAt: Math.round(options.nowMs - ageMs),
      durationMs: 8_000 + rng.int(90_000),
    });
    let list = itemsByTopic.get(t);
    if (list === undefined) {
      list = [];
      itemsByTopic.set(t, list);
    }
    list.push(items.length - 1);
  }
  LOW_INFORMATION_CAPTIONS.forEach((caption, k) => {
    items.push({
      id: `v-lowinfo-${k}`,
      creatorId: creators[rng.int(creators.length)]!.id,
      caption,
      tags: [],
      createdAt: Math.round(options.nowMs - rng.next() * 10 * DAY),
      durationMs: 5_000 + rng.int(20_000),
    });
  });

  const users: DemoPlatform['users'] = [];
  const tastes = new Map<string, Map<string, number>>();
  const events: DemoEvent[] = [];
  let eventSeq = 0;
  const emit = (e: Omit<DemoEvent, 'id'>): void => {
    events.push({ id: `demo-${eventSeq++}`, ...e });
  };

  for (let u = 0; u < options.users; u++) {
    const id = `u${pad(u, 4)}`;
    const count = 2 + rng.int(3);
    const chosen = rng.shuffle([...topics.keys()]).slice(0, count);
    const raw = chosen.map(() => rng.gamma(1.5));
    const sum = raw.reduce((a, b) => a + b, 0);
    const taste = new Map(chosen.map((t, k) => [topics[t]!.id, raw[k]! / sum]));
    tastes.set(id, taste);
    users.push({
      id,
      traits: { country: ['CN', 'SG', 'US', 'FR'][rng.int(4)]!, lang: rng.next() < 0.7 ? 'zh' : 'en' },
    });
    const seen = new Set<number>();
    for (let e = 0; e < options.eventsPerUser; e++) {
      const at = Math.round(
        options.nowMs - (1 - e / options.eventsPerUser) * 14 * DAY - rng.next() * 3600_000,
      );
      const explore = rng.next() < 0.15;
      const t = explore ? rng.int(topics.length) : pickTopic(chosen, raw, rng);
      const pool = itemsByTopic.get(t) ?? [];
      if (pool.length === 0) continue;
      const itemIndex = pickByFame(pool, items, creators, rng);
      if (seen.has(itemIndex)) continue;
      seen.add(itemIndex);
      const item = items[itemIndex]!;
      if (item.createdAt > at) continue;
      const affinity = taste.get(topics[t]!.id) ?? 0;
      emitReaction(emit, rng, id, item.id, at, affinity);
    }
  }

  // The persona lock-in story: mostly beauty, with a recent burst of retro games.
  const story = 'beauty-vlogger';
  users.push({ id: story, traits: { country: 'CN', lang: 'zh' } });
  tastes.set(
    story,
    new Map([
      ['beauty', 0.75],
      ['retro', 0.25],
    ]),
  );
  const beauty = itemsByTopic.get(0) ?? [];
  const retro = itemsByTopic.get(1) ?? [];
  for (let k = 0; k < 20 && k < beauty.length; k++) {
    emit({
      userId: story,
      itemId: items[beauty[k]!]!.id,
      type: 'view',
      at: options.nowMs - (10 - k * 0.4) * DAY,
      watchRatio: 0.9,
    });
  }
  for (let k = 0; k < 8 && k < retro.length; k++) {
    emit({
      userId: story,
      itemId: items[retro[k]!]!.id,
      type: 'view',
      at: options.nowMs - (1 - k * 0.1) * DAY,
      watchRatio: 0.8,
    });
  }
  risingTrend(options, rng, creators, items, users, emit);
  events.sort((a, b) => a.at - b.at);
  return { items, users, events, tastes };
}

/** Clips of the rising-trend story, and the regular users who find them in its last 90 minutes. */
const RISING_ITEMS = 3;
const RISING_VIEWERS = 40;

/**
 * The rising-trend story: a creator posts three hiking clips two hours before "now", and forty regular
 * users (long histories, so their votes count in full) watch them within the last 90 minutes, where
 * the rest of the history ends hours earlier. `GET /v1/trending` then lists the clips and the hiking
 * tags, each against its own baseline.
 */
function risingTrend(
  options: DemoOptions,
  rng: Random,
  creators: readonly { id: string }[],
  items: DemoItem[],
  users: readonly { id: string }[],
  emit: (e: Omit<DemoEvent, 'id'>) => void,
): void {
  const topic = DEMO_TOPICS.find((t) => t.id === 'hiking')!;
  const creatorId = creators[rng.int(creators.length)]!.id;
  const postedAt = options.nowMs - 2 * 3600_000;
  const clips = Array.from({ length: RISING_ITEMS }, (_, k): DemoItem => {
    const phrase = topic.phrases[k % topic.phrases.length]!;
    return {
      id: `v-rising-${k}`,
      creatorId,
      caption: `${phrase} ${topic.emoji[k % topic.emoji.length]!} #${topic.zh} #${topic.en}`,
      tags: [topic.zh, topic.en],
      category: topic.id,
      createdAt: postedAt,
      durationMs: 20_000 + rng.int(40_000),
    };
  });
  items.push(...clips);
  const regulars = users.filter((u) => /^u\d+$/.test(u.id));
  const viewers = rng.shuffle([...regulars]).slice(0, Math.min(RISING_VIEWERS, regulars.length));
  for (const viewer of viewers) {
    for (const clip of clips) {
      if (rng.next() < 0.3) continue;
      const at = Math.round(options.nowMs - rng.next() * 90 * 60_000);
      emit({
        userId: viewer.id,
        itemId: clip.id,
        type: 'view',
        at,
        watchRatio: 0.7 + Math.round(rng.next() * 30) / 100,
      });
      if (rng.next() < 0.5) emit({ userId: viewer.id, itemId: clip.id, type: 'like', at: at + 1_000 });
    }
  }
}

function emitReaction(
  emit: (e: Omit<DemoEvent, 'id'>) => void,
  rng: Random,
  userId: string,
  itemId: string,
  at: number,
  affinity: number,
): void {
  if (affinity === 0 && rng.next() < 0.6) {
    emit({ userId, itemId, type: 'skip', at });
    return;
  }
  const watchRatio = Math.min(1.5, rng.beta(1 + 6 * affinity, 2) * 1.3);
  emit({ userId, itemId, type: 'view', at, watchRatio: Math.round(watchRatio * 100) / 100 });
  if (rng.next() < affinity * 0.5) emit({ userId, itemId, type: 'like', at: at + 1_000 });
  if (rng.next() < affinity * 0.1) emit({ userId, itemId, type: 'share', at: at + 2_000 });
  if (rng.next() < affinity * 0.08) emit({ userId, itemId, type: 'comment', at: at + 3_000 });
}

function pickTopic(chosen: number[], weights: number[], rng: Random): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let k = 0; k < chosen.length; k++) {
    r -= weights[k]!;
    if (r <= 0) return chosen[k]!;
  }
  return chosen[chosen.length - 1]!;
}

function pickByFame(
  pool: number[],
  items: DemoItem[],
  creators: { id: string; fame: number }[],
  rng: Random,
): number {
  // Two draws, keep the one from the more famous creator: a mild popularity skew.
  const a = pool[rng.int(pool.length)]!;
  const b = pool[rng.int(pool.length)]!;
  const fame = (i: number): number => creators.find((c) => c.id === items[i]!.creatorId)?.fame ?? 0;
  return fame(a) >= fame(b) ? a : b;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
