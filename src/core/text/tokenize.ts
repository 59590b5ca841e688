/**
 * A Chinese word segmenter, injected so that `core/` stays pure: the engine wires `@node-rs/jieba`
 * (see `engine/text/segmenter.ts`); tests pass a fake.
 */
export type Segmenter = (text: string) => string[];

/**
 * - `han`: a Chinese word from the segmenter;
 * - `chargram`: a run of 1 to 3 consecutive Chinese characters (robust to segmentation errors);
 * - `latin`: a lower-cased word in Latin (or another alphabetic) script;
 * - `hashtag`: `#美妆`, `#makeup`, kept whole and lower-cased;
 * - `emoji`: one emoji, with its modifiers and joiners;
 * - `digits`: a run of digits.
 */
export type TokenKind = 'han' | 'chargram' | 'latin' | 'hashtag' | 'emoji' | 'digits';

export interface Token {
  readonly text: string;
  readonly kind: TokenKind;
  /** True for a word-like token that is not on the stop list: evidence of what the text is about. */
  readonly informative: boolean;
}

export type Tokenizer = (text: string) => Token[];

export interface TokenizerOptions {
  segment: Segmenter;
  /** Words that say nothing about a topic; defaults to {@link defaultStopWords}. */
  stopWords?: ReadonlySet<string>;
  /** Lengths of the Chinese character n-grams to emit; default `[2]` (character bigrams). */
  charGramSizes?: readonly number[];
}

/** Chinese and English function words plus the generic words of short-video captions. */
export const defaultStopWords: ReadonlySet<string> = new Set(
  [
    // Chinese function words and fillers.
    '的 了 是 我 你 您 他 她 它 们 我们 你们 他们 她们 咱们 这 那 这个 那个 这些 那些 这样 那样 这么 那么',
    '就 都 也 还 在 有 和 与 及 或 或者 一个 一 不 没 没有 很 太 吧 啊 呀 吗 呢 哦 噢 哈 哈哈 哈哈哈 哈哈哈哈',
    '嗯 啦 嘛 么 呗 哇 喔 耶 嘿 嘻嘻 呵呵 什么 怎么 怎么样 为什么 因为 所以 但是 可是 如果 就是 还是 而且',
    '然后 自己 大家 今天 现在 时候 一下 一起 已经 可以 要 会 能 想 说 去 来 到 给 把 被 让 对 从 又 再 才',
    '只 更 最 之 其 着 过 得 地 个 上 下 里 中 多 好 真 人 吗 啦 呐 哟 唉 诶 额 呃 么 滴 咯 罢了 而已 一些',
    '非常 真的 其实 一直 还有 这里 那里 哪里 谁 啥 咋 看 看看 来看 一样 不是 没 些 每 各 等 等等',
    // Generic short-video words: they say that a post exists, not what it is about.
    '视频 作品 热门 上热门 快手 抖音 关注 点赞 双击 评论 转发 收藏 感谢 谢谢 支持 官方 官方大大 推广',
    '小助手 助手 求 希望 喜欢 记得 更新 分享 日常 记录 记录生活 生活记录 原创 作者 粉丝 老铁 家人 家人们',
    '朋友 朋友们 宝宝们 直播 直播间 同城 推荐 上推荐 火 火起来 大大 热门话题 话题 合拍 拍 拍摄 特效',
    // English function words and generic social-media words.
    'the a an and or of to in on at for with is are was were be been being it its this that these those',
    'i you he she we they me my your our their his her them us am do does did doing have has had but if',
    'as by from up out all can will would should could what when where how who why which not no yes so',
    'just very too oh lol omg ok okay haha hahaha hi hello hey video videos clip new day today like likes',
    'follow share subscribe fyp foryou foryoupage viral trending xyzbca explore reels tiktok kuaishou',
    'please thanks thank pls plz love more get got go going one here there now then than',
  ]
    .join(' ')
    .split(' ')
    .filter((word) => word.length > 0),
);

const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;
// An emoji with its skin-tone modifiers, variation selectors and zero-width-joined parts, or a flag.
const EMOJI_SOURCE =
  '(?:\\p{Regional_Indicator}{2}|\\p{Extended_Pictographic}(?:[\\u{1F3FB}-\\u{1F3FF}\\uFE0F\\u20E3]|\\u200D\\p{Extended_Pictographic})*)';
// A hashtag body: letters, marks, digits and underscores; Kuaishou also closes tags with '#'.
const HASHTAG_SOURCE = '#([\\p{L}\\p{M}\\p{N}_]+)#?';
const PIECE = new RegExp(
  `${HASHTAG_SOURCE}|(${EMOJI_SOURCE})|(\\p{Script=Han}+)|(\\p{N}+)|([\\p{L}\\p{M}'’]+)`,
  'gu',
);

/**
 * Builds a tokenizer for captions and hashtags that mix Chinese and English: Chinese runs become
 * segmenter words plus character n-grams, Latin words are lower-cased, hashtags stay whole, and
 * emoji and digit runs are their own token classes. Stop words are kept out of the words.
 *
 * @example
 * const tokenize = createTokenizer({ segment: (text) => jieba.cut(text, false) });
 * tokenize('#美妆 今天的makeup🔥'); // hashtag '#美妆', han '美妆', chargram '美妆', latin 'makeup', emoji '🔥'
 */
export function createTokenizer(options: TokenizerOptions): Tokenizer {
  const { segment } = options;
  const stopWords = options.stopWords ?? defaultStopWords;
  const gramSizes = options.charGramSizes ?? [2];

  const addHan = (run: string, out: Token[]): boolean => {
    let informative = false;
    for (const raw of segment(run)) {
      const word = raw.trim();
      if (word.length === 0 || !HAN.test(word)) continue;
      const isInformative = !stopWords.has(word);
      informative ||= isInformative;
      out.push({ text: word, kind: 'han', informative: isInformative });
    }
    // Character n-grams of a run made only of stop words would let "哈哈哈" pass as content.
    if (!informative) return false;
    const chars = Array.from(run);
    for (const size of gramSizes) {
      for (let i = 0; i + size <= chars.length; i++) {
        out.push({ text: chars.slice(i, i + size).join(''), kind: 'chargram', informative: false });
      }
    }
    return true;
  };

  const addLetters = (run: string, out: Token[]): boolean => {
    const word = run.replace(/^['’]+|['’]+$/g, '');
    if (word.length === 0) return false;
    const isInformative = Array.from(word).length >= 2 && !stopWords.has(word);
    out.push({ text: word, kind: 'latin', informative: isInformative });
    return isInformative;
  };

  const tokenizeInto = (text: string, out: Token[]): boolean => {
    let informative = false;
    for (const match of text.matchAll(PIECE)) {
      const [, hashtagBody, emoji, han, digits, letters] = match;
      if (hashtagBody !== undefined) {
        // The tag's words count as the caption's words, and the tag itself is a feature whole.
        const bodyInformative = tokenizeInto(hashtagBody, out);
        informative ||= bodyInformative;
        out.push({ text: `#${hashtagBody}`, kind: 'hashtag', informative: bodyInformative });
      } else if (emoji !== undefined) {
        out.push({ text: emoji, kind: 'emoji', informative: false });
      } else if (han !== undefined) {
        informative = addHan(han, out) || informative;
      } else if (digits !== undefined) {
        out.push({ text: digits, kind: 'digits', informative: false });
      } else if (letters !== undefined && LETTER.test(letters)) {
        informative = addLetters(letters, out) || informative;
      }
    }
    return informative;
  };

  return (text) => {
    const out: Token[] = [];
    tokenizeInto(text.normalize('NFKC').toLowerCase(), out);
    return out;
  };
}

/**
 * Whether any token is word-like content rather than emoji, digits, punctuation or stop words.
 * A text without one carries no evidence of a topic, so a label for it would be invented.
 *
 * @example
 * hasInformativeToken(tokenize('🔥🔥🔥 0101')); // false
 */
export function hasInformativeToken(tokens: readonly Token[]): boolean {
  for (const token of tokens) if (token.informative) return true;
  return false;
}
