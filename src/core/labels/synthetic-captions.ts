import { createRandom } from '../random.js';
import type { Segmenter } from '../text/tokenize.js';

/** Words of each synthetic topic; every caption draws from one topic plus shared filler. */
export const syntheticTopics: Readonly<Record<string, readonly string[]>> = {
  美食: ['火锅', '麻辣', '烧烤', '面条', '好吃', '厨房', '做饭', '红烧肉', 'recipe', 'noodles'],
  高新数码: ['手机', '芯片', '评测', '电脑', '显卡', '相机', '耳机', '充电', 'iphone', 'laptop'],
  美妆: ['口红', '眼妆', '粉底', '护肤', '面膜', '化妆', '腮红', '眉毛', 'makeup', 'lipstick'],
};
const filler = ['今天', '大家', '一起', '分享', '真的', '我们'];
// Generic words, so that the stand-in segmenter keeps them whole as jieba does.
const generic = ['视频', '上热门', '哈哈哈'];
const dictionary = [...Object.values(syntheticTopics).flat(), ...filler, ...generic].sort(
  (a, b) => b.length - a.length,
);

/**
 * A stand-in for jieba in tests: greedy longest match over the synthetic vocabulary, one character
 * otherwise.
 */
export const syntheticSegment: Segmenter = (text) => {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const word = dictionary.find((w) => text.startsWith(w, i)) ?? text[i]!;
    words.push(word);
    i += word.length;
  }
  return words;
};

/**
 * Seeded synthetic captions, `perTopic` per topic: three topic words, one filler word, with
 * probability `noise` one word of another topic, and with probability `labelNoise` a wrong label.
 *
 * @example
 * syntheticCaptions(40, 1); // [{ text: '今天火锅 麻辣 烧烤', label: '美食' }, …]
 */
export function syntheticCaptions(
  perTopic: number,
  seed: number,
  noise = 0.3,
  labelNoise = 0.1,
): { text: string; label: string }[] {
  const rng = createRandom(seed);
  const topics = Object.keys(syntheticTopics);
  const pick = <T>(values: readonly T[]): T => values[rng.int(values.length)]!;
  const out: { text: string; label: string }[] = [];
  for (let n = 0; n < perTopic; n++) {
    for (const label of topics) {
      const words = [pick(filler), pick(syntheticTopics[label]!), pick(syntheticTopics[label]!)];
      words.push(pick(syntheticTopics[label]!));
      if (rng.next() < noise) words.push(pick(syntheticTopics[pick(topics)]!));
      out.push({ text: words.join(' '), label: rng.next() < labelNoise ? pick(topics) : label });
    }
  }
  return out;
}
