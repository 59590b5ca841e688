import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenizer, hasInformativeToken, type Segmenter, type Token } from './tokenize.js';

// Greedy longest match over a small dictionary, one character otherwise: enough to stand in for jieba.
const dictionary = ['美妆', '今天', '教程', '眼妆', '哈哈哈', '美食', '火锅', '热门', '感谢', '快手', '上'];
const fakeSegment: Segmenter = (text) => {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const word = dictionary.find((w) => text.startsWith(w, i)) ?? text[i]!;
    words.push(word);
    i += word.length;
  }
  return words;
};
const tokenize = createTokenizer({ segment: fakeSegment });
const texts = (tokens: Token[], kind: Token['kind']): string[] =>
  tokens.filter((t) => t.kind === kind).map((t) => t.text);

test('chinese runs become segmenter words plus character bigrams', () => {
  const tokens = tokenize('美妆教程');
  assert.deepEqual(texts(tokens, 'han'), ['美妆', '教程']);
  assert.deepEqual(texts(tokens, 'chargram'), ['美妆', '妆教', '教程']);
});

test('latin words are lower-cased and stop words are not informative', () => {
  const tokens = tokenize('The BEST Makeup');
  assert.deepEqual(texts(tokens, 'latin'), ['the', 'best', 'makeup']);
  assert.deepEqual(
    tokens.filter((t) => t.informative).map((t) => t.text),
    ['best', 'makeup'],
  );
});

test('hashtags are kept whole in both scripts, with a closing hash accepted', () => {
  const tokens = tokenize('#美妆# 今天 #MakeUp');
  assert.deepEqual(texts(tokens, 'hashtag'), ['#美妆', '#makeup']);
});

test('emoji, including joined sequences and flags, are one token each', () => {
  const tokens = tokenize('🔥👩‍🍳🇨🇳👍🏽');
  assert.deepEqual(texts(tokens, 'emoji'), ['🔥', '👩‍🍳', '🇨🇳', '👍🏽']);
});

test('digit runs are their own class, also when glued to letters or full-width', () => {
  const tokens = tokenize('2020年 iphone12 １２３');
  assert.deepEqual(texts(tokens, 'digits'), ['2020', '12', '123']);
  assert.deepEqual(texts(tokens, 'latin'), ['iphone']);
});

test('a caption mixing chinese, english, emoji and hashtags keeps every class', () => {
  const kinds = new Set(tokenize('#美食 今天吃火锅 hotpot 🔥 2块钱').map((t) => t.kind));
  assert.deepEqual([...kinds].sort(), ['chargram', 'digits', 'emoji', 'han', 'hashtag', 'latin']);
});

test('emoji, digits, punctuation and empty text have no informative token', () => {
  for (const text of ['', '   ', '🔥🔥😂', '0101 1100 0011', '!!!…？？', '😂 123 ...']) {
    assert.equal(hasInformativeToken(tokenize(text)), false, JSON.stringify(text));
  }
});

test('a text of only generic words or filler has no informative token', () => {
  for (const text of ['哈哈哈', 'video', '#感谢快手上热门', 'lol omg', 'a b c']) {
    assert.equal(hasInformativeToken(tokenize(text)), false, JSON.stringify(text));
  }
});

test('a real word, even a single latin word, is informative', () => {
  for (const text of ['火锅', 'makeup', '#美食', '🔥火锅🔥']) {
    assert.equal(hasInformativeToken(tokenize(text)), true, JSON.stringify(text));
  }
});

test('filler runs emit no character n-grams', () => {
  assert.deepEqual(texts(tokenize('哈哈哈'), 'chargram'), []);
});

test('character n-gram sizes are configurable', () => {
  const tokenize13 = createTokenizer({ segment: fakeSegment, charGramSizes: [1, 3] });
  assert.deepEqual(texts(tokenize13('美妆教'), 'chargram'), ['美', '妆', '教', '美妆教']);
});
