import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { checkTime, eventSchema, idSchema, itemFieldsSchema, validate } from '../engine/validate.js';
import { coerceCsvRow, parseCsvRows, type Row, type RowError, readJsonLines } from './rows.js';

export interface ImportSummary {
  file: string;
  kind: 'items' | 'events';
  accepted: number;
  duplicates: number;
  rejected: RowError[];
}

const BATCH = 1_000;
const itemRowSchema = itemFieldsSchema.extend({ id: idSchema });

/**
 * Imports items or events from a CSV or JSON Lines file through the engine, in batches. Each row is
 * checked on its own first, so one bad row is reported with its line number and the rest still land.
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
  const take = async (row: Row | RowError): Promise<void> => {
    done++;
    if (!('value' in row)) {
      summary.rejected.push(row);
      return;
    }
    const problem = checkRow(kind, row.value, nowMs());
    if (problem !== undefined) {
      summary.rejected.push({ line: row.line, message: problem });
      return;
    }
    batch.push(row.value);
    if (batch.length >= BATCH) await flush();
  };

  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const { rows, errors } = parseCsvRows(await readFile(path, 'utf8'));
    for (const e of errors) await take(e);
    const numeric = kind === 'events' ? ['at', 'watchMs', 'watchRatio'] : ['createdAt', 'durationMs'];
    for (const row of rows) await take({ line: row.line, value: coerceCsvRow(row.value, numeric, ['tags']) });
  } else if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') {
    for await (const row of readJsonLines(path)) await take(row);
  } else {
    throw new Error(`${path}: unknown file type "${ext}"; use .csv or .jsonl`);
  }
  await flush();
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
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
