import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './parse-csv.js';

/** An item as the HTTP API's `PUT /v1/items/{itemId}` body takes it, with its id. */
export interface CatalogItem {
  id: string;
  creatorId?: string;
  caption?: string;
  tags: string[];
  category?: string;
}

/** One KuaiRec video with every text field kept apart, for training and evaluating labels. */
export interface KuaiRecVideo {
  id: string;
  /** The cover text the creator typed, if any. */
  coverText?: string;
  /** The caption, usually with `#hashtags`; line breaks normalised to LF. */
  caption?: string;
  /** The `topic_tag` list, unbracketed. */
  topicTags: string[];
  /** First-level category name (39 of them), absent when KuaiRec says UNKNOWN. */
  category?: string;
  /** Second- and third-level category names, when known. */
  subcategories: string[];
  /** The second-level category name, absent when KuaiRec says UNKNOWN. */
  secondLevel?: string;
  /** The coarse tag ids of `item_categories.csv` (0-30). */
  featureTagIds: number[];
}

const UNKNOWN = 'UNKNOWN';
/** KuaiRec's captions and categories file, the one every reader of the catalogue needs. */
export const KUAIREC_CAPTIONS = 'kuairec_caption_category.csv';
const CATEGORIES_FILE = 'item_categories.csv';

/**
 * The KuaiRec directory: `$SETLIST_DATA_DIR` if it holds the KuaiRec files, else
 * `$SETLIST_DATA_DIR/kuairec`, else `<repo>/../shared/data/kuairec`.
 */
export function defaultKuaiRecDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SETLIST_DATA_DIR;
  if (override !== undefined && override !== '') {
    return existsSync(join(override, KUAIREC_CAPTIONS)) ? override : join(override, 'kuairec');
  }
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(repo, '..', 'shared', 'data', 'kuairec');
}

/** Whether `dir` holds the two KuaiRec files the importer reads. */
export function hasKuaiRecData(dir: string = defaultKuaiRecDir()): boolean {
  return existsSync(join(dir, KUAIREC_CAPTIONS)) && existsSync(join(dir, CATEGORIES_FILE));
}

/**
 * Reads KuaiRec's `kuairec_caption_category.csv` and `item_categories.csv` (10,728 videos). Four
 * captions hold a bare CR in an unquoted field; {@link parseCsv} keeps it as content.
 *
 * @example
 * const videos = readKuaiRecVideos(); // [{ id: '0', caption: '精神小伙路难走 …', category: '颜值', … }, …]
 */
export function readKuaiRecVideos(dir: string = defaultKuaiRecDir()): KuaiRecVideo[] {
  const captions = readRecords(join(dir, KUAIREC_CAPTIONS), [
    'video_id',
    'manual_cover_text',
    'caption',
    'topic_tag',
    'first_level_category_name',
    'second_level_category_name',
    'third_level_category_name',
  ]);
  const featureTags = new Map<string, number[]>();
  for (const row of readRecords(join(dir, CATEGORIES_FILE), ['video_id', 'feat'])) {
    featureTags.set(row[0]!, parseBracketList(row[1]!).map(Number).filter(Number.isInteger));
  }
  return captions.map(([id, cover, caption, topics, first, second, third]) => {
    const video: KuaiRecVideo = {
      id: id!,
      topicTags: parseBracketList(topics!),
      subcategories: [second!, third!].filter(isKnown),
      featureTagIds: featureTags.get(id!) ?? [],
    };
    const coverText = cleanText(cover!);
    if (isKnown(coverText)) video.coverText = coverText;
    const captionText = cleanText(caption!);
    if (captionText !== '') video.caption = captionText;
    if (isKnown(first!)) video.category = first!;
    if (isKnown(second!)) video.secondLevel = second!;
    return video;
  });
}

/**
 * KuaiRec's videos as item records for the HTTP API: the caption is the cover text and the caption
 * joined by a line break (the topic tags are the caption's `#hashtags`), the tags are the category
 * names of every level, and `category` is the first level. KuaiRec has no creator ids (only its
 * missing `item_daily_features.csv` has them) and KuaiRand's `author_id` belongs to other videos
 * (see `readKuaiRandVideoAuthors`), so `creatorId` is left out.
 *
 * @example
 * const items = readKuaiRecCatalog(); // [{ id: '0', caption: '…', tags: ['颜值', '颜值随拍'], category: '颜值' }, …]
 */
export function readKuaiRecCatalog(dir: string = defaultKuaiRecDir()): CatalogItem[] {
  return readKuaiRecVideos(dir).map((video) => {
    const item: CatalogItem = { id: video.id, tags: [] };
    const caption = [video.coverText, video.caption].filter((t) => t !== undefined).join('\n');
    if (caption !== '') item.caption = caption;
    if (video.category !== undefined) {
      item.category = video.category;
      item.tags.push(video.category);
    }
    for (const name of video.subcategories) if (!item.tags.includes(name)) item.tags.push(name);
    return item;
  });
}

/**
 * KuaiRand-Pure's `video_features_basic_pure.csv` as a map from its video id to its creator
 * (`author_id`). These ids name KuaiRand's own 7,583 videos (April 2022), not KuaiRec's: of the 683
 * KuaiRec videos in the interaction sample whose id also exists in KuaiRand, none has the same
 * duration, so the two id spaces are unrelated and KuaiRec items get no creator from here.
 */
export function readKuaiRandVideoAuthors(dir: string): Map<string, string> {
  const authors = new Map<string, string>();
  for (const [id, author] of readRecords(join(dir, 'video_features_basic_pure.csv'), [
    'video_id',
    'author_id',
  ])) {
    authors.set(id!, author!);
  }
  return authors;
}

/** The records of a CSV file, with the named columns picked in order; throws if one is missing. */
function readRecords(path: string, columns: readonly string[]): string[][] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (header === undefined) throw new Error(`${path} is empty: expected a header row.`);
  const indices = columns.map((name) => {
    const index = header.indexOf(name);
    if (index === -1) throw new Error(`${path} has no column "${name}": is it the right file?`);
    return index;
  });
  return rows.map((row) => indices.map((index) => row[index] ?? ''));
}

/** `[a,b, c]` -> `['a', 'b', 'c']`; the lists are not JSON (items are unquoted). */
function parseBracketList(text: string): string[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

function isKnown(value: string): boolean {
  return value !== '' && value !== UNKNOWN;
}
