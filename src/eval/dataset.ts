import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../import/parse-csv.js';

/** Interactions with external ids mapped to dense indices (first-seen order). */
export interface Interactions {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/** External id → dense index maps, shared when several files must agree (a train and a test file). */
export interface IdIndex {
  readonly users: Map<string, number>;
  readonly items: Map<string, number>;
}

export function createIdIndex(): IdIndex {
  return { users: new Map(), items: new Map() };
}

export interface CsvOptions {
  /** Keep rows whose third column (a rating) is at least this; rows without one are kept. */
  readonly minRating?: number;
  /** Column holding the rating (default 2, as in MovieLens' userId,movieId,rating,timestamp). */
  readonly ratingColumn?: number;
}

/**
 * The shared data folder: `$SETLIST_DATA_DIR`, else `<repo>/../shared/data`.
 *
 * @example
 * join(dataDir(), 'ml-latest-small', 'ratings.csv');
 */
export function dataDir(): string {
  const fromEnv = process.env.SETLIST_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(repo, '..', 'shared', 'data');
}

/** Where a named dataset's interaction file lives, or undefined when it is not there. */
export function datasetPath(name: string): string | undefined {
  const known: Record<string, string> = { 'ml-latest-small': join('ml-latest-small', 'ratings.csv') };
  const file = join(dataDir(), known[name] ?? join(name, 'interactions.csv'));
  return existsSync(file) ? file : undefined;
}

/**
 * Parses `user,item[,rating-or-timestamp,...]` CSV text (ids are added to `index`, so two files
 * parsed with one index share their numbering); a first line that starts with a
 * non-numeric `user`/`userId` style header is skipped.
 */
export function parseInteractionsCsv(
  text: string,
  options: CsvOptions = {},
  index: IdIndex = createIdIndex(),
): Interactions {
  const userIndex = index.users;
  const itemIndex = index.items;
  const users: number[] = [];
  const items: number[] = [];
  const ratingColumn = options.ratingColumn ?? 2;
  const lines = text.split(/\r?\n/);
  let first = true;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const cols = line.split(',');
    if (first) {
      first = false;
      if (/^\s*"?user/i.test(cols[0] ?? '')) continue;
    }
    const user = cols[0]?.trim();
    const item = cols[1]?.trim();
    if (user === undefined || item === undefined || user === '' || item === '') continue;
    if (options.minRating !== undefined) {
      const rating = Number(cols[ratingColumn]);
      if (!(rating >= options.minRating)) continue;
    }
    let u = userIndex.get(user);
    if (u === undefined) {
      u = userIndex.size;
      userIndex.set(user, u);
    }
    let i = itemIndex.get(item);
    if (i === undefined) {
      i = itemIndex.size;
      itemIndex.set(item, i);
    }
    users.push(u);
    items.push(i);
  }
  return {
    userIds: [...userIndex.keys()],
    itemIds: [...itemIndex.keys()],
    users: Int32Array.from(users),
    items: Int32Array.from(items),
  };
}

/** Reads a CSV file with {@link parseInteractionsCsv}. */
export function loadInteractionsCsv(path: string, options: CsvOptions = {}, index?: IdIndex): Interactions {
  return parseInteractionsCsv(readFileSync(path, 'utf8'), options, index);
}

/** MovieLens positives (rating >= 4) of ml-latest-small, or undefined when the file is missing. */
export function loadMovieLensSmall(): Interactions | undefined {
  const path = datasetPath('ml-latest-small');
  return path === undefined ? undefined : loadInteractionsCsv(path, { minRating: 4 });
}

/**
 * MovieLens genres of the given movie ids, as group indices (for calibration), or undefined when
 * movies.csv is missing. "(no genres listed)" counts as no genre.
 */
export function loadMovieLensGenres(
  itemIds: readonly string[],
): { itemGroups: number[][]; groupNames: string[] } | undefined {
  const path = join(dataDir(), 'ml-latest-small', 'movies.csv');
  if (!existsSync(path)) return undefined;
  const genresById = new Map<string, string[]>();
  for (const [movieId, , genres] of parseCsv(readFileSync(path, 'utf8')).slice(1)) {
    if (movieId === undefined || genres === undefined) continue;
    genresById.set(
      movieId,
      genres.split('|').filter((g) => g !== '' && g !== '(no genres listed)'),
    );
  }
  const groupNames: string[] = [];
  const groupIndex = new Map<string, number>();
  const itemGroups = itemIds.map((id) =>
    (genresById.get(id) ?? []).map((g) => {
      let k = groupIndex.get(g);
      if (k === undefined) {
        k = groupNames.length;
        groupIndex.set(g, k);
        groupNames.push(g);
      }
      return k;
    }),
  );
  return { itemGroups, groupNames };
}
