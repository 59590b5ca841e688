/** One CSV record and the 1-based line of the source on which it starts. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvRecords {
  records: CsvRecord[];
  /** The line of a record whose quoted field never closes; its text runs to the end of input. */
  unterminatedLine?: number;
}

/** Parses CSV text that arrives in pieces (a file's chunks): records may span pieces. */
export interface CsvParser {
  /** Parses the next piece of the text and returns the records it completes. */
  push(text: string): CsvRecord[];
  /** Ends the text: returns a last record that has no line end, and the line of a quote never closed. */
  end(): CsvRecords;
}

// Where the parser stands between two characters, kept across pieces.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** After a quote inside quotes: a second quote is content, anything else ends the quoted part. */
const QUOTED_QUOTE = 3;
/** After a CR outside quotes: an LF makes the pair a line end, anything else makes the CR content. */
const AFTER_CR = 4;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * An incremental RFC 4180 parser: records end at LF or CRLF outside quotes; a quoted field keeps
 * its commas, CR, LF and doubled quotes. A bare CR that is not followed by LF is field content, not a
 * line end: RFC 4180 only ends lines with CRLF, and real exports (KuaiRec captions) contain such CRs
 * inside unquoted fields. A quote inside an unquoted field is kept as content, and a final line end
 * does not add an empty record. A UTF-8 byte-order mark at the start is dropped. Each record carries
 * the line it starts on, counting the line feeds inside quoted fields; a piece may end anywhere
 * (inside quotes, between the CR and LF of a line end), and only the record being read is held.
 *
 * @example
 * const parser = createCsvParser();
 * parser.push('id,caption\n1,"a'); // [{ line: 1, fields: ['id', 'caption'] }]
 * parser.push('\nb"\n2,c');         // [{ line: 2, fields: ['1', 'a\nb'] }]
 * parser.end().records;             // [{ line: 4, fields: ['2', 'c'] }]
 */
export function createCsvParser(): CsvParser {
  let state = FIELD_START;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  // Whether the current record has started: distinguishes a blank last line from an empty field.
  let started = false;
  let first = true;

  const endRecord = (records: CsvRecord[]): void => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    started = false;
    state = FIELD_START;
    line++;
    recordLine = line;
  };

  return {
    push(text) {
      const records: CsvRecord[] = [];
      const n = text.length;
      let i = 0;
      if (first && n > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) i = 1;
      }
      while (i < n) {
        if (state === QUOTED) {
          const end = text.indexOf('"', i);
          const piece = text.slice(i, end === -1 ? n : end);
          line += countLineFeeds(piece);
          field += piece;
          if (end === -1) break;
          state = QUOTED_QUOTE;
          i = end + 1;
        } else if (state === QUOTED_QUOTE) {
          if (text.charCodeAt(i) === QUOTE) {
            field += '"';
            state = QUOTED;
            i++;
          } else {
            state = UNQUOTED;
          }
        } else if (state === AFTER_CR) {
          if (text.charCodeAt(i) === LF) {
            i++;
            endRecord(records);
          } else {
            field += '\r';
            state = UNQUOTED;
          }
        } else if (state === FIELD_START && text.charCodeAt(i) === QUOTE) {
          started = true;
          state = QUOTED;
          i++;
        } else {
          let end = i;
          for (; end < n; end++) {
            const c = text.charCodeAt(end);
            if (c === COMMA || c === LF || c === CR) break;
          }
          if (end > i) {
            field += text.slice(i, end);
            started = true;
            state = UNQUOTED;
          }
          if (end === n) break;
          const c = text.charCodeAt(end);
          i = end + 1;
          if (c === COMMA) {
            fields.push(field);
            field = '';
            started = true;
            state = FIELD_START;
          } else if (c === LF) {
            endRecord(records);
          } else {
            started = true;
            state = AFTER_CR;
          }
        }
      }
      return records;
    },
    end() {
      if (state === AFTER_CR) field += '\r';
      const records: CsvRecord[] = [];
      if (started) {
        fields.push(field);
        records.push({ line: recordLine, fields });
      }
      return state === QUOTED ? { records, unterminatedLine: recordLine } : { records };
    },
  };
}

/**
 * Splits CSV text into records, each with the line it starts on, by the rules of
 * {@link createCsvParser}.
 *
 * @example
 * parseCsvRecords('id,caption\n1,"a\nb"\n2,c\n').records;
 * // [{ line: 1, fields: ['id', 'caption'] }, { line: 2, fields: ['1', 'a\nb'] }, { line: 4, fields: ['2', 'c'] }]
 */
export function parseCsvRecords(text: string): CsvRecords {
  const parser = createCsvParser();
  const records = parser.push(text);
  const last = parser.end();
  records.push(...last.records);
  return last.unterminatedLine === undefined
    ? { records }
    : { records, unterminatedLine: last.unterminatedLine };
}

/**
 * Parses CSV text into records of fields, by the rules of {@link createCsvParser}.
 *
 * @example
 * parseCsv('id,caption\n1,"a, ""b""\nc"\n'); // [['id', 'caption'], ['1', 'a, "b"\nc']]
 */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).records.map((r) => r.fields);
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
