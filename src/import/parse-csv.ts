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

/**
 * Splits RFC 4180 CSV text into records, each with the line it starts on. Records end at LF or CRLF
 * outside quotes; a quoted field keeps its commas, CR, LF and doubled quotes. A bare CR that is not
 * followed by LF is field content, not a line end: RFC 4180 only ends lines with CRLF, and real
 * exports (KuaiRec captions) contain such CRs inside unquoted fields. A quote inside an unquoted
 * field is kept as content, and a final line end does not add an empty record. A UTF-8 byte-order
 * mark at the start is dropped.
 *
 * @example
 * parseCsvRecords('id,caption\n1,"a\nb"\n2,c\n').records;
 * // [{ line: 1, fields: ['id', 'caption'] }, { line: 2, fields: ['1', 'a\nb'] }, { line: 4, fields: ['2', 'c'] }]
 */
export function parseCsvRecords(text: string): CsvRecords {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let recordLine = 1;
  let unterminatedLine: number | undefined;
  // Whether the current record has started: distinguishes a blank last line from an empty field.
  let started = false;
  let atFieldStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && atFieldStart) {
      i++;
      for (;;) {
        const end = text.indexOf('"', i);
        const piece = text.slice(i, end === -1 ? n : end);
        line += countLineFeeds(piece);
        field += piece;
        if (end === -1) {
          unterminatedLine = recordLine;
          i = n;
          break;
        }
        if (text[end + 1] === '"') {
          field += '"';
          i = end + 2;
        } else {
          i = end + 1;
          break;
        }
      }
      started = true;
      atFieldStart = false;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      started = true;
      atFieldStart = true;
      i++;
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      started = false;
      atFieldStart = true;
      i += ch === '\r' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      started = true;
      atFieldStart = false;
      i++;
    }
  }
  if (started) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return unterminatedLine === undefined ? { records } : { records, unterminatedLine };
}

/**
 * Parses CSV text into records of fields, by the rules of {@link parseCsvRecords}.
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
