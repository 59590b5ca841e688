import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

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
 * Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks) into records
 * keyed by the header row. A bare CR inside an unquoted field is kept as part of the field.
 *
 * @example
 * parseCsv('id,tags\nv1,"a|b"\n'); // [{ line: 2, value: { id: 'v1', tags: 'a|b' } }]
 */
export function parseCsv(text: string): { rows: Row[]; errors: RowError[] } {
  const records: { line: number; fields: string[] }[] = [];
  const errors: RowError[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      inQuotes = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) errors.push({ line: recordLine, message: 'unterminated quoted field' });
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
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
