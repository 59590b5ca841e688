import type { ItemRecord } from '../types.js';

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

/** Builds a reason with a sentence in the viewer's language if given, else in the item's own text's. */
export function buildReason(ctx: ReasonContext): Reason {
  const zh = ctx.lang === undefined ? prefersChinese(ctx.record) : ctx.lang === 'zh';
  const first = ctx.because?.[0];
  const quoted = first === undefined ? '' : titleOf(first.record, first.id);
  const more = (ctx.because?.length ?? 0) - 1;
  let text: string;
  switch (ctx.source) {
    case 'co-occurrence':
      text = zh
        ? `看过「${quoted}」${more > 0 ? `等${more + 1}个视频` : ''}的人也在看`
        : `People who watched “${quoted}”${more > 0 ? ` and ${more} more you liked` : ''} also watched this`;
      break;
    case 'model':
      if (ctx.forItem === true) {
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
    case 'similar-tags':
      text = zh
        ? `和「${quoted}」的标签相同${ctx.tag === undefined ? '' : `：${ctx.tag}`}`
        : `Shares tags with “${quoted}”${ctx.tag === undefined ? '' : `: ${ctx.tag}`}`;
      break;
    case 'same-creator':
      text = zh ? `和「${quoted}」出自同一位创作者` : `By the same creator as “${quoted}”`;
      break;
    case 'fallback':
      text = zh ? '你还没看过的内容' : 'Something you have not seen yet';
      break;
    case 'rewatch':
      text = zh ? '再看一遍：其余的内容你都看过了' : 'Watch again: you have seen everything else';
      break;
  }
  if (ctx.exploration === true) text = zh ? `新内容试推：${text}` : `Trying something new: ${text}`;
  const reason: Reason = { source: ctx.source, exploration: ctx.exploration ?? false, text };
  if (ctx.facet !== undefined) reason.facet = ctx.facet;
  if (ctx.because !== undefined && ctx.because.length > 0) reason.because = ctx.because.map((b) => b.id);
  return reason;
}
