import { createTokenizer, type Segmenter, type Token, type Tokenizer } from '../text/tokenize.js';

/** An item's own evidence for its labels: its text (caption, cover text) and its tags. */
export interface LabelText {
  text?: string | undefined;
  tags?: readonly string[] | undefined;
}

export interface LabelFeatures {
  /** Feature names, one per occurrence: `w:` word, `c:` character n-gram, `h:` hashtag, `e:` emoji, `d:` digits. */
  features: string[];
  /** Whether the evidence has any word-like, non-stop token; without one a label would be invented. */
  informative: boolean;
  /**
   * The features that say what the item is about: informative words and hashtags, and the character
   * n-grams of Chinese runs that have an informative word. Never emoji, digits or stop words.
   */
  contentFeatures: string[];
}

/** Character n-gram sizes the label model uses: unigrams, bigrams and trigrams. */
export const labelCharGramSizes: readonly number[] = [1, 2, 3];

/**
 * Builds the function that turns an item's text and tags into label features. Tags are read as
 * hashtags, so `['美食']` and a caption `#美食` give the same evidence.
 *
 * @example
 * const featurize = createLabelFeaturizer(segment);
 * featurize({ text: '今天吃火锅🔥' }); // { features: ['w:火锅', 'c:火', …, 'e:🔥'], informative: true, contentFeatures: […] }
 */
export function createLabelFeaturizer(
  segment: Segmenter,
  charGramSizes: readonly number[] = labelCharGramSizes,
): (input: LabelText) => LabelFeatures {
  const tokenize: Tokenizer = createTokenizer({ segment, charGramSizes });
  return ({ text, tags }) => {
    const features: string[] = [];
    const contentFeatures: string[] = [];
    let informative = false;
    const add = (tokens: Token[]): void => {
      for (const token of tokens) {
        informative ||= token.informative;
        const name = featureName(token);
        features.push(name);
        // The tokenizer emits character n-grams only for a Chinese run with an informative word.
        if (token.informative || token.kind === 'chargram') contentFeatures.push(name);
      }
    };
    if (text !== undefined) add(tokenize(text));
    for (const tag of tags ?? []) add(tokenize(`#${tag.replace(/^#/, '')}`));
    return { features, informative, contentFeatures };
  };
}

function featureName(token: Token): string {
  switch (token.kind) {
    case 'han':
    case 'latin':
      return `w:${token.text}`;
    case 'chargram':
      return `c:${token.text}`;
    case 'hashtag':
      return `h:${token.text}`;
    case 'emoji':
      return `e:${token.text}`;
    case 'digits':
      // The length of a number says more (a year, a price, a phone number) than its digits.
      return `d:${Math.min(token.text.length, 8)}`;
  }
}
