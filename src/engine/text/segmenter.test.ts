import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenizer, hasInformativeToken } from '../../core/text/tokenize.js';
import { createJiebaSegmenter } from './segmenter.js';

test('jieba segments a chinese sentence into words and their dictionary sub-words', () => {
  const segment = createJiebaSegmenter();
  assert.deepEqual(segment('今天吃火锅'), ['今天', '火锅', '吃火锅']);
});

test('the jieba-backed tokenizer finds words in a mixed caption and none in emoji', () => {
  const tokenize = createTokenizer({ segment: createJiebaSegmenter() });
  const words = tokenize('#美食 今天吃火锅 hotpot🔥')
    .filter((t) => t.kind === 'han')
    .map((t) => t.text);
  assert.ok(words.includes('火锅'), words.join(' '));
  assert.equal(hasInformativeToken(tokenize('🔥🔥🔥 666')), false);
});
