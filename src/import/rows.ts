import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCsvRecords } from './parse-csv.js';

/** One parsed input row with its 1-based line number in the source file. */
export interface Row {
  line: number;
  value: Record<string, unknown>;
}

export interface RowError {
  line: number;
  message: string;
}

/**
 * Parses CSV text (by the rules of {@link parseCsvRecords}) into records keyed by the header row,
 * each with its line number; a record with the wrong number of columns is an error for its line.
 *
 * @example
 * parseCsvRows('id,tags\nv1,"a|b"\n'); // { rows: [{ line: 2, value: { id: 'v1', tags: 'a|b' } }], errors: [] }
 */
export function parseCsvRows(text: string): { rows: Row[]; errors: RowError[] } {
  const { records, unterminatedLine } = parseCsvRecords(text);
  const errors: RowError[] = [];
  if (unterminatedLine !== undefined)
    errors.push({ line: unterminatedLine, message: 'unterminated quoted field' });
  const header = records.shift();
  if (header === undefined) return { rows: [], errors };
  const names = header.fields.map((h) => h.trim());
  const rows: Row[] = [];
  for (const r of records) {
    if (r.fields.length === 1 && r.fields[0] === '') continue;
    if (r.fields.length !== names.length) {
      errors.push({ line: r.line, message: `expected ${names.length} columns, found ${r.fields.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    names.forEach((name, k) => {
      const v = r.fields[k]!;
      if (v !== '') value[name] = v;
    });
    rows.push({ line: r.line, value });
  }
  return { rows, errors };
}

/** Reads JSON Lines one line at a time; a line that is not a JSON object is an error for that line. */
export async function* readJsonLines(path: string): AsyncGenerator<Row | RowError> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line, message: 'is not a JSON object' };
      } else {
        yield { line, value: value as Record<string, unknown> };
      }
    } catch (err) {
      yield { line, message: `is not valid JSON: ${(err as Error).message}` };
    }
  }
}

/** CSV cells are strings: turn numeric columns into numbers and list columns into arrays. */
export function coerceCsvRow(
  value: Record<string, unknown>,
  numeric: readonly string[],
  lists: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const key of numeric) {
    const v = out[key];
    if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim())) out[key] = Number(v);
  }
  for (const key of lists) {
    const v = out[key];
    if (typeof v === 'string') {
      out[key] = v
        .split(/[|;]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
  }
  return out;
}
