/**
 * Parses RFC 4180 CSV text into records of fields. Records end at LF or CRLF outside quotes; a quoted
 * field keeps its commas, CR, LF and doubled quotes. A bare CR that is not followed by LF is field
 * content, not a line end: RFC 4180 only ends lines with CRLF, and real exports (KuaiRec captions)
 * contain such CRs inside unquoted fields. A quote inside an unquoted field is kept as content, and
 * a final line end does not add an empty record. A UTF-8 byte-order mark at the start is dropped.
 *
 * @example
 * parseCsv('id,caption\n1,"a, ""b""\nc"\n'); // [['id', 'caption'], ['1', 'a, "b"\nc']]
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  // Whether the current record has started: distinguishes a blank last line from an empty field.
  let started = false;
  let atFieldStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && atFieldStart) {
      i++;
      for (;;) {
        const end = text.indexOf('"', i);
        if (end === -1) {
          field += text.slice(i);
          i = n;
          break;
        }
        field += text.slice(i, end);
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
      record.push(field);
      field = '';
      started = true;
      atFieldStart = true;
      i++;
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      started = false;
      atFieldStart = true;
      i += ch === '\r' ? 2 : 1;
    } else {
      field += ch;
      started = true;
      atFieldStart = false;
      i++;
    }
  }
  if (started) {
    record.push(field);
    records.push(record);
  }
  return records;
}
