import { extname } from 'node:path';
import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { checkTime, eventSchema, idSchema, itemFieldsSchema, validate } from '../engine/validate.js';
import { SetlistError } from '../errors.js';
import {
  type CsvColumnKinds,
  coerceCsvRow,
  isJsonArrayFile,
  type Row,
  type RowError,
  readCsvRows,
  readJsonArray,
  readJsonLines,
} from './rows.js';

export interface ImportSummary {
  file: string;
  kind: 'items' | 'events';
  accepted: number;
  duplicates: number;
  rejected: RowError[];
}

/** The file types `importFile` reads; a `.json` file holds a JSON array of rows, or JSON Lines. */
const IMPORT_EXTENSIONS: readonly string[] = ['.csv', '.jsonl', '.ndjson', '.json'];

const BATCH = 1_000;
const itemRowSchema = itemFieldsSchema.extend({ id: idSchema });

const csvColumnKinds: Record<'items' | 'events', CsvColumnKinds> = {
  items: { numeric: ['createdAt', 'durationMs'], lists: ['tags'], ids: ['id', 'creatorId'] },
  events: { numeric: ['at', 'watchMs', 'watchRatio'], lists: [], ids: ['id', 'userId', 'itemId'] },
};

/**
 * Imports items or events from a CSV, JSON Lines or JSON array file through the engine, in batches.
 * Each row is checked on its own first, so one bad row is reported with its line number and the rest
 * still land. CSV and JSON Lines files are streamed; a JSON array is read whole.
 */
export async function importFile(
  engine: Engine,
  kind: 'items' | 'events',
  path: string,
  onProgress: (done: number) => void = () => {},
  nowMs: () => number = Date.now,
): Promise<ImportSummary> {
  const summary: ImportSummary = { file: path, kind, accepted: 0, duplicates: 0, rejected: [] };
  let batch: Record<string, unknown>[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (kind === 'events') {
      const result = await engine.ingest({ events: batch });
      summary.accepted += result.accepted;
      summary.duplicates += result.duplicates;
    } else {
      summary.accepted += (await engine.putItems({ items: batch })).upserted;
    }
    batch = [];
    onProgress(done);
  };
  for await (const row of readRows(kind, path)) {
    done++;
    if (!('value' in row)) {
      summary.rejected.push(row);
      continue;
    }
    const problem = checkRow(kind, row.value, nowMs());
    if (problem !== undefined) {
      summary.rejected.push({ line: row.line, message: problem });
      continue;
    }
    batch.push(row.value);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return summary;
}

async function* readRows(kind: 'items' | 'events', path: string): AsyncGenerator<Row | RowError> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    for await (const row of readCsvRows(path, () => {})) {
      yield 'value' in row ? { line: row.line, value: coerceCsvRow(row.value, csvColumnKinds[kind]) } : row;
    }
  } else if (ext === '.json' && (await isJsonArrayFile(path))) {
    yield* await readArray(path);
  } else if (IMPORT_EXTENSIONS.includes(ext)) {
    yield* readJsonLines(path);
  } else {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      path: kind,
      message:
        `${path}: unsupported file type "${ext}"; ${kind} files must be .csv, .jsonl or .ndjson ` +
        '(JSON Lines), or .json (a JSON array of rows, or JSON Lines).',
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

function checkRow(
  kind: 'items' | 'events',
  value: Record<string, unknown>,
  nowMs: number,
): string | undefined {
  const schema: z.ZodType = kind === 'events' ? eventSchema : itemRowSchema;
  const result = validate(schema, value);
  if (!result.ok)
    return result.issues.map((i) => `${i.path === '' ? '' : `${i.path} `}${i.message}`).join('; ');
  const time = kind === 'events' ? value.at : value.createdAt;
  if (time !== undefined) {
    const checked = checkTime(time as number | string, nowMs);
    if (!checked.ok) return `${kind === 'events' ? 'at' : 'createdAt'} ${checked.issues[0]!.message}`;
  }
  return undefined;
}
