import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type CsvRecord, createCsvParser } from './parse-csv.js';

/** One parsed input row with its 1-based line number in the source file. */
export interface Row {
  line: number;
  value: Record<string, unknown>;
}

/** A row that cannot be imported: its line, the field at fault when there is one, and why. */
export interface RowError {
  line: number;
  field?: string;
  message: string;
}

/** How many bytes of a CSV file are read and parsed at a time. */
export const CSV_CHUNK_BYTES = 1 << 16;

/**
 * Streams a CSV file's records (by the rules of {@link createCsvParser}), reading `chunkBytes` at a
 * time: memory holds one chunk and the record being read, whatever the file's size. A quoted field
 * that never closes runs to the end of the file; it ends the records as an error for its line.
 *
 * @example
 * for await (const record of readCsvRecords('items.csv')) console.log(record);
 */
export async function* readCsvRecords(
  path: string,
  chunkBytes = CSV_CHUNK_BYTES,
): AsyncGenerator<CsvRecord | RowError> {
  const parser = createCsvParser();
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    yield* parser.push(chunk as string);
  }
  const { records, unterminatedLine } = parser.end();
  if (unterminatedLine === undefined) {
    yield* records;
  } else {
    yield {
      line: unterminatedLine,
      message: 'has a quoted field that never closes: the rest of the file was read as its text',
    };
  }
}

/** The column names of a CSV file's header row, or undefined for a file with no rows. */
export async function readCsvHeader(path: string): Promise<string[] | undefined> {
  for await (const record of readCsvRecords(path))
    return 'fields' in record ? columnNames(record) : undefined;
  return undefined;
}

/**
 * Streams a CSV file's rows keyed by its header row, each with its line number; a record with the
 * wrong number of columns is an error for its line, and blank lines are skipped. `checkHeader` sees
 * the header's names before any row is read and throws to stop.
 *
 * @example
 * for await (const row of readCsvRows('items.csv', () => {})) console.log(row); // { line: 2, value: { id: 'v1' } }
 */
export async function* readCsvRows(
  path: string,
  checkHeader: (names: readonly string[]) => void,
  chunkBytes = CSV_CHUNK_BYTES,
): AsyncGenerator<Row | RowError> {
  let names: string[] | undefined;
  for await (const record of readCsvRecords(path, chunkBytes)) {
    if (!('fields' in record)) {
      yield record;
    } else if (names === undefined) {
      names = columnNames(record);
      checkHeader(names);
    } else if (record.fields.length !== 1 || record.fields[0] !== '') {
      yield rowOf(names, record);
    }
  }
  if (names === undefined) checkHeader([]);
}

function columnNames(header: CsvRecord): string[] {
  return header.fields.map((name) => name.trim());
}

function rowOf(names: readonly string[], record: CsvRecord): Row | RowError {
  if (record.fields.length !== names.length) {
    return { line: record.line, message: `expected ${names.length} columns, found ${record.fields.length}` };
  }
  const value: Record<string, unknown> = {};
  names.forEach((name, k) => {
    const v = record.fields[k]!;
    if (v !== '') value[name] = v;
  });
  return { line: record.line, value };
}

/**
 * Reads JSON Lines one line at a time; a line that is not a JSON object is an error for that line.
 * A UTF-8 byte-order mark before the first line is dropped.
 */
export async function* readJsonLines(path: string): AsyncGenerator<Row | RowError> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    const json = line === 1 ? withoutBom(text) : text;
    if (json.trim() === '') continue;
    try {
      yield rowFromJson(line, JSON.parse(json) as unknown);
    } catch (err) {
      yield { line, message: `is not valid JSON: ${(err as Error).message}` };
    }
  }
}

/**
 * Reads a JSON array of row objects. The file is read and parsed whole (arrays are not streamed);
 * each element gets the line it starts on. Throws if the file is not a valid JSON array.
 */
export async function readJsonArray(path: string): Promise<(Row | RowError)[]> {
  const text = withoutBom(await readFile(path, 'utf8'));
  const elements = JSON.parse(text) as unknown;
  if (!Array.isArray(elements)) throw new Error('is not a JSON array');
  const lines = elementLines(text);
  return elements.map((element, k) => rowFromJson(lines[k] ?? 1, element));
}

/**
 * Whether a `.json` file holds a JSON array (its first character other than white space is `[`)
 * rather than JSON Lines.
 */
export async function isJsonArrayFile(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 4096 })) {
    const start = withoutBom(chunk as string).trimStart();
    if (start !== '') return start.startsWith('[');
  }
  return false;
}

function rowFromJson(line: number, value: unknown): Row | RowError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, message: 'is not a JSON object' };
  }
  return { line, value: value as Record<string, unknown> };
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The line on which each element of a valid JSON array's text starts. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (expectElement && c !== ']') lines.push(line);
    expectElement = false;
    if (c === '"') {
      inString = true;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectElement = true;
    }
  }
  return lines;
}

/** Which CSV columns hold numbers, `|`- or `;`-separated lists, and ids. */
export interface CsvColumnKinds {
  numeric: readonly string[];
  lists: readonly string[];
  ids: readonly string[];
}

/**
 * CSV cells are strings: turn numeric columns into numbers (`12`, `-0.5`, `.5`, `1e3`), split list
 * columns on `|` or `;`, and trim the white space around ids (`" u1 "` is `u1`; an id of white space
 * only is left out). Other text cells keep their spaces.
 *
 * @example
 * coerceCsvRow({ userId: ' u1 ', watchRatio: '.5' }, { numeric: ['watchRatio'], lists: [], ids: ['userId'] });
 * // { userId: 'u1', watchRatio: 0.5 }
 */
export function coerceCsvRow(
  value: Record<string, unknown>,
  columns: CsvColumnKinds,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const key of columns.numeric) {
    const v = out[key];
    if (typeof v === 'string' && /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(v.trim()))
      out[key] = Number(v);
  }
  for (const key of columns.lists) {
    const v = out[key];
    if (typeof v === 'string') {
      out[key] = v
        .split(/[|;]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
  }
  for (const key of columns.ids) {
    const v = out[key];
    if (typeof v !== 'string') continue;
    const id = v.trim();
    if (id === '') delete out[key];
    else out[key] = id;
  }
  return out;
}
