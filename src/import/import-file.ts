import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { checkTime, eventSchema, idSchema, itemFieldsSchema, validate } from '../engine/validate.js';
import { SetlistError } from '../errors.js';
import type { EventInput, ItemBatchEntry } from '../types.js';
import {
  type CsvColumnKinds,
  coerceCsvRow,
  isJsonArrayFile,
  type Row,
  type RowError,
  readCsvHeader,
  readCsvRows,
  readJsonArray,
  readJsonLines,
} from './rows.js';

export type ImportKind = 'items' | 'events';

export interface ImportSummary {
  file: string;
  kind: ImportKind;
  accepted: number;
  duplicates: number;
  rejected: RowError[];
}

export interface ImportFileOptions {
  /** Called after each committed batch with the rows read so far and the summary so far. */
  onProgress?: (rowsRead: number, summary: Readonly<ImportSummary>) => void;
  nowMs?: () => number;
}

/** The file types `importFile` reads; a `.json` file holds a JSON array of rows, or JSON Lines. */
const IMPORT_EXTENSIONS: readonly string[] = ['.csv', '.jsonl', '.ndjson', '.json'];

/** Valid rows are committed this many at a time. */
export const IMPORT_BATCH_ROWS = 1_000;

const itemRowSchema = itemFieldsSchema.extend({ id: idSchema });
const rowSchemas = { items: itemRowSchema, events: eventSchema } as const;

const csvColumnKinds: Record<ImportKind, CsvColumnKinds> = {
  items: { numeric: ['createdAt', 'durationMs'], lists: ['tags'], ids: ['id', 'creatorId'] },
  events: { numeric: ['at', 'watchMs', 'watchRatio'], lists: [], ids: ['id', 'userId', 'itemId'] },
};

/** The columns a CSV file of each kind may have: the row schema's fields, but for `embedding` (no CSV form). */
const csvColumns: Record<ImportKind, { required: string[]; optional: string[] }> = {
  items: columnsOf(itemRowSchema.shape),
  events: columnsOf(eventSchema.shape),
};

function columnsOf(shape: Record<string, z.ZodType>): { required: string[]; optional: string[] } {
  const names = Object.keys(shape).filter((name) => name !== 'embedding');
  const isOptional = (name: string) => shape[name]!.safeParse(undefined).success;
  return { required: names.filter((n) => !isOptional(n)), optional: names.filter(isOptional) };
}

/**
 * Checks an input file before anything is written: it exists, can be read and has a supported type,
 * a CSV file's header names each required column once and no unknown one, and a `.json` file that
 * holds an array parses. Throws a `SetlistError` that names the file and says how to fix it.
 *
 * @example
 * await checkImportFile('events', 'events.csv'); // throws if its header is `item_id,user_id,event_type`
 */
export async function checkImportFile(kind: ImportKind, path: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (!isSupported(ext)) throw unsupported(kind, path, ext);
  await checkReadable(kind, path);
  if (ext === '.csv') {
    checkCsvHeader(kind, path, (await readCsvHeader(path)) ?? []);
  } else if (ext === '.json' && (await isJsonArrayFile(path))) {
    await readArray(path);
  }
}

function isSupported(ext: string): boolean {
  return IMPORT_EXTENSIONS.includes(ext);
}

function unsupported(kind: ImportKind, path: string, ext: string): SetlistError {
  return new SetlistError('SETLIST_ERR_CONFIG', {
    path: kind,
    message:
      `${path}: unsupported file type "${ext}"; ${kind} files must be .csv, .jsonl or .ndjson ` +
      '(JSON Lines), or .json (a JSON array of rows, or JSON Lines).',
  });
}

async function checkReadable(kind: ImportKind, path: string): Promise<void> {
  const fail = (why: string, cause?: unknown) =>
    new SetlistError('SETLIST_ERR_CONFIG', { path: kind, message: `${path}: ${why}`, cause });
  try {
    if (!(await stat(path)).isFile()) throw fail('is not a file');
    await (await open(path, 'r')).close();
  } catch (err) {
    if (err instanceof SetlistError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file' : `cannot be read (${(err as Error).message})`, err);
  }
}

function checkCsvHeader(kind: ImportKind, path: string, names: readonly string[]): void {
  const { required, optional } = csvColumns[kind];
  const expected = `${kind} CSV files have the columns ${required.join(', ')} (required) and ${optional.join(', ')}`;
  if (names.length === 0) {
    throw new SetlistError('SETLIST_ERR_VALIDATION', {
      path: 'header',
      message: `${path} is empty: a CSV file starts with a header row; ${expected}.`,
    });
  }
  const known = new Set([...required, ...optional]);
  const columns = (list: readonly string[]) =>
    `column${list.length === 1 ? '' : 's'} ${list.map((n) => JSON.stringify(n)).join(', ')}`;
  const problems: string[] = [];
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) problems.push(`has unknown ${columns(unknown)}`);
  const repeated = [...new Set(names.filter((n, k) => names.indexOf(n) !== k))];
  if (repeated.length > 0) problems.push(`repeats the ${columns(repeated)}`);
  const missing = required.filter((n) => !names.includes(n));
  if (missing.length > 0) problems.push(`lacks the required ${columns(missing)}`);
  if (problems.length > 0) {
    throw new SetlistError('SETLIST_ERR_VALIDATION', {
      path: 'header',
      message: `${path}: the header row ${problems.join(' and ')}; ${expected} (names are case-sensitive). No row of it was imported.`,
    });
  }
}

async function readArray(path: string): Promise<(Row | RowError)[]> {
  try {
    return await readJsonArray(path);
  } catch (err) {
    throw new SetlistError('SETLIST_ERR_VALIDATION', {
      path: 'file',
      message: `${path}: a .json file whose text starts with "[" must be a JSON array of rows: ${(err as Error).message}`,
      cause: err,
    });
  }
}

/**
 * Imports items or events from a CSV, JSON Lines or JSON array file through the engine, in batches
 * of {@link IMPORT_BATCH_ROWS}. Each row is checked on its own first, so one bad row is reported with
 * its line number and field and the rest still land. CSV and JSON Lines files are streamed; a JSON
 * array is read whole. A file that cannot be read at all (a CSV header with unknown columns, a broken
 * JSON array) throws before its first row is written.
 *
 * @example
 * const summary = await importFile(engine, 'events', 'events.csv');
 * console.log(summary.accepted, summary.rejected); // 2, [{ line: 4, field: 'type', message: 'must be one of …' }]
 */
export async function importFile(
  engine: Engine,
  kind: ImportKind,
  path: string,
  options: ImportFileOptions = {},
): Promise<ImportSummary> {
  const { onProgress = () => {}, nowMs = Date.now } = options;
  const summary: ImportSummary = { file: path, kind, accepted: 0, duplicates: 0, rejected: [] };
  let batch: Record<string, unknown>[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (kind === 'events') {
      // Rows as read: the engine validates them and names the field at fault.
      const result = await engine.ingest({ events: batch as unknown as EventInput[] });
      summary.accepted += result.accepted;
      summary.duplicates += result.duplicates;
    } else {
      summary.accepted += (await engine.putItems({ items: batch as unknown as ItemBatchEntry[] })).upserted;
    }
    batch = [];
    onProgress(done, summary);
  };
  for await (const row of readRows(kind, path)) {
    done++;
    if (!('value' in row)) {
      summary.rejected.push(row);
      continue;
    }
    const problem = checkRow(kind, row.value, nowMs());
    if (problem !== undefined) {
      summary.rejected.push({ line: row.line, ...problem });
      continue;
    }
    batch.push(row.value);
    if (batch.length >= IMPORT_BATCH_ROWS) await flush();
  }
  await flush();
  return summary;
}

async function* readRows(kind: ImportKind, path: string): AsyncGenerator<Row | RowError> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const checkHeader = (names: readonly string[]) => checkCsvHeader(kind, path, names);
    for await (const row of readCsvRows(path, checkHeader)) {
      yield 'value' in row ? { line: row.line, value: coerceCsvRow(row.value, csvColumnKinds[kind]) } : row;
    }
  } else if (ext === '.json' && (await isJsonArrayFile(path))) {
    yield* await readArray(path);
  } else if (isSupported(ext)) {
    yield* readJsonLines(path);
  } else {
    throw unsupported(kind, path, ext);
  }
}

/** The first issue of a row that cannot be imported (its field apart), followed by any others. */
function checkRow(
  kind: ImportKind,
  value: Record<string, unknown>,
  nowMs: number,
): { field?: string; message: string } | undefined {
  const result = validate(rowSchemas[kind] as z.ZodType, value);
  if (!result.ok) {
    const [first, ...others] = result.issues;
    const message = [first!.message, ...others.map((i) => `${i.path} ${i.message}`.trim())].join('; ');
    return first!.path === '' ? { message } : { field: first!.path, message };
  }
  const field = kind === 'events' ? 'at' : 'createdAt';
  const time = value[field];
  if (time !== undefined) {
    const checked = checkTime(time as number | string, nowMs);
    if (!checked.ok) return { field, message: checked.issues[0]!.message };
  }
  return undefined;
}
