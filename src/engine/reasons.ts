import type { ItemRecord } from '../types.js';

/**
 * Where a list's item came from. `declared`: a tag the user declared; `discovery`: a category the
 * user has not engaged with, explored while they look for a new interest.
 */
export type ReasonSource =
  | 'co-occurrence'
  | 'model'
  | 'follow'
  | 'declared'
  | 'facet'
  | 'popular'
  | 'fresh'
  | 'similar-tags'
  | 'same-creator'
  | 'fallback'
  | 'discovery'
  /** Seen before: shown again only once nothing unseen is left. */
  | 'rewatch';

/** Why an item is in a list, shown to the user and to the people who run the platform. */
export interface Reason {
  source: ReasonSource;
  facet?: string;
  because?: string[];
  exploration: boolean;
  text: string;
}

/** The languages reasons are written in. */
export const REASON_LANGUAGES = ['en', 'zh'] as const;
export type ReasonLanguage = (typeof REASON_LANGUAGES)[number];

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** True when the item's tags or caption are mainly Chinese, so its reason is written in Chinese. */
export function prefersChinese(record: ItemRecord | undefined): boolean {
  if (record === undefined) return false;
  const sample = `${record.tags.join(' ')} ${record.caption ?? ''}`;
  let cjk = 0;
  let latin = 0;
  for (const ch of sample) {
    if (CJK.test(ch)) cjk++;
    else if (/[A-Za-z]/.test(ch)) latin++;
  }
  return cjk > 0 && cjk * 2 >= latin;
}

/** A short, quotable title for an item: its caption's start, else its first tag, else its id. */
export function titleOf(record: ItemRecord | undefined, fallbackId: string): string {
  const caption = record?.caption?.replace(/\s+/g, ' ').trim();
  if (caption !== undefined && caption !== '') {
    const chars = [...caption];
    return chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : caption;
  }
  const tag = record?.tags[0];
  return tag ?? fallbackId;
}

export interface ReasonContext {
  source: ReasonSource;
  record: ItemRecord | undefined;
  because?: { id: string; record: ItemRecord | undefined }[];
  facet?: string;
  tag?: string;
  exploration?: boolean;
  /** The list answers "items like this one" rather than a user's feed. */
  forItem?: boolean;
  /** The viewer's language; without it, the language of the item's own text. */
  lang?: ReasonLanguage;
}

/**
 * Builds a reason with a sentence in the viewer's language if given, else in the item's own text's.
 * A hidden (taken-down) item among `because` is neither cited nor quoted; when all of them are, the
 * sentence names none, as it does without any.
 */
export function buildReason(ctx: ReasonContext): Reason {
  const zh = ctx.lang === undefined ? prefersChinese(ctx.record) : ctx.lang === 'zh';
  const because = ctx.because?.filter((b) => b.record?.visibility !== 'hidden') ?? [];
  const first = because[0];
  const quoted = first === undefined ? '' : titleOf(first.record, first.id);
  const more = because.length - 1;
  const forItem = ctx.forItem === true;
  let text: string;
  switch (ctx.source) {
    case 'co-occurrence':
      if (first === undefined) {
        if (forItem) text = zh ? '看过该视频的人也在看' : 'People who watched that item also watched this';
        else text = zh ? '看过你喜欢的内容的人也在看' : 'People who watched what you liked also watched this';
        break;
      }
      text = zh
        ? `看过「${quoted}」${more > 0 ? `等${more + 1}个视频` : ''}的人也在看`
        : `People who watched “${quoted}”${more > 0 ? ` and ${more} more you liked` : ''} also watched this`;
      break;
    case 'model':
      if (first === undefined) {
        if (forItem)
          text = zh ? '喜欢该视频的观众也喜欢这个' : 'Viewers who like that item tend to like this too';
        else text = zh ? '根据你看过的内容推荐' : 'Recommended from what you watched';
      } else if (forItem) {
        text = zh
          ? `喜欢「${quoted}」的观众也喜欢这个`
          : `Viewers who like “${quoted}” tend to like this too`;
      } else {
        text = zh
          ? `根据你看过的「${quoted}」等内容推荐`
          : `Recommended from what you watched, like “${quoted}”`;
      }
      break;
    case 'facet':
      text = zh
        ? `来自你的兴趣「${ctx.facet ?? ''}」${quoted === '' ? '' : `，像「${quoted}」`}`
        : `From your interest “${ctx.facet ?? ''}”${quoted === '' ? '' : `, like “${quoted}”`}`;
      break;
    case 'declared':
      text = zh ? `你说过喜欢「${ctx.tag ?? ''}」` : `You said you like “${ctx.tag ?? ''}”`;
      break;
    case 'follow':
      text = zh ? '来自你关注的创作者' : 'From a creator you follow';
      break;
    case 'popular':
      text = zh ? '最近很受欢迎' : 'Popular right now';
      break;
    case 'fresh':
      text = zh ? '新发布的内容' : 'Just posted';
      break;
    case 'similar-tags': {
      let withWhat: string;
      if (first !== undefined) withWhat = zh ? `和「${quoted}」的` : `“${quoted}”`;
      else if (forItem) withWhat = zh ? '和该视频的' : 'that item';
      else withWhat = zh ? '和你看过的内容' : 'what you watched';
      text = zh
        ? `${withWhat}标签相同${ctx.tag === undefined ? '' : `：${ctx.tag}`}`
        : `Shares tags with ${withWhat}${ctx.tag === undefined ? '' : `: ${ctx.tag}`}`;
      break;
    }
    case 'same-creator':
      if (first !== undefined)
        text = zh ? `和「${quoted}」出自同一位创作者` : `By the same creator as “${quoted}”`;
      else if (forItem) text = zh ? '和该视频出自同一位创作者' : 'By the same creator as that item';
      else text = zh ? '和你看过的内容出自同一位创作者' : 'By the same creator as what you watched';
      break;
    case 'fallback':
      text = zh ? '你还没看过的内容' : 'Something you have not seen yet';
      break;
    case 'discovery':
      text = zh ? `为你找的新内容：「${ctx.tag ?? ''}」` : `Something new for you: “${ctx.tag ?? ''}”`;
      break;
    case 'rewatch':
      text = zh ? '再看一遍：其余的内容你都看过了' : 'Watch again: you have seen everything else';
      break;
  }
  // A discovery reason says it is new to the user already.
  if (ctx.exploration === true && ctx.source !== 'discovery')
    text = zh ? `新内容试推：${text}` : `Trying something new: ${text}`;
  const reason: Reason = { source: ctx.source, exploration: ctx.exploration ?? false, text };
  if (ctx.facet !== undefined) reason.facet = ctx.facet;
  if (because.length > 0) reason.because = because.map((b) => b.id);
  return reason;
}
