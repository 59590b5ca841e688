import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCsvParser, parseCsv, parseCsvRecords } from './parse-csv.js';

test('plain records split on commas and line feeds', () => {
  assert.deepEqual(parseCsv('a,b\n1,2\n'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
});

test('crlf line ends are accepted and a missing final line end is fine', () => {
  assert.deepEqual(parseCsv('a,b\r\n1,2'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
});

test('a quoted field keeps commas, line feeds, carriage returns and doubled quotes', () => {
  assert.deepEqual(parseCsv('id,text\n1,"x, ""y""\r\nz\rw"\n'), [
    ['id', 'text'],
    ['1', 'x, "y"\r\nz\rw'],
  ]);
});

test('a bare carriage return inside an unquoted field is content, not a line end', () => {
  assert.deepEqual(parseCsv('id,caption,cat\n1378,朝\r！,明星\n6331,豪车！\r ,UNKNOWN\n'), [
    ['id', 'caption', 'cat'],
    ['1378', '朝\r！', '明星'],
    ['6331', '豪车！\r ', 'UNKNOWN'],
  ]);
});

test('empty fields, including a trailing one, are kept', () => {
  assert.deepEqual(parseCsv('a,,c,\n'), [['a', '', 'c', '']]);
});

test('a quote inside an unquoted field is content', () => {
  assert.deepEqual(parseCsv('5,他说"好"\n'), [['5', '他说"好"']]);
});

test('a byte-order mark is dropped', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\n'), [['a', 'b']]);
});

test('each record carries the line it starts on, counting line feeds inside quotes', () => {
  const { records, unterminatedLine } = parseCsvRecords('id,caption\n1,"a\nb\nc"\r\n2,x\rmore\n3,y');
  assert.deepEqual(
    records.map((r) => r.line),
    [1, 2, 5, 6],
  );
  assert.equal(unterminatedLine, undefined);
});

test('an unterminated quoted field reports the line its record starts on', () => {
  const { records, unterminatedLine } = parseCsvRecords('id,caption\n1,ok\n2,"never\nclosed\n');
  assert.equal(unterminatedLine, 3);
  assert.deepEqual(records.at(-1), { line: 3, fields: ['2', 'never\nclosed\n'] });
});

/** Parses `text` in the given pieces with one parser. */
function parseInPieces(pieces: readonly string[]) {
  const parser = createCsvParser();
  const records = pieces.flatMap((piece) => parser.push(piece));
  const last = parser.end();
  return { records: [...records, ...last.records], unterminatedLine: last.unterminatedLine };
}

const TRICKY = '\ufeffid,caption\r\n1,"a, ""b""\r\nc"\r\n2,x\ry\n3,"say ""hi"""\r\n\r\n4,"never\nclosed';

test('text split anywhere into two pieces parses as it does whole', () => {
  const whole = parseInPieces([TRICKY]);
  assert.equal(whole.records.length, 6);
  for (let at = 0; at <= TRICKY.length; at++) {
    assert.deepEqual(parseInPieces([TRICKY.slice(0, at), TRICKY.slice(at)]), whole, `split at ${at}`);
  }
});

test('text fed one character at a time parses as it does whole', () => {
  assert.deepEqual(parseInPieces([...TRICKY]), parseInPieces([TRICKY]));
});

test('a doubled quote split between two pieces is one quote of content', () => {
  assert.deepEqual(parseInPieces(['1,"a"', '"b"\n']).records, [{ line: 1, fields: ['1', 'a"b'] }]);
});

test('a CRLF split between two pieces ends the record, and a CR at the very end is content', () => {
  assert.deepEqual(parseInPieces(['1,a\r', '\n2,b\r']).records, [
    { line: 1, fields: ['1', 'a'] },
    { line: 2, fields: ['2', 'b\r'] },
  ]);
});
