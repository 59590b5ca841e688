import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv, parseCsvRecords } from './parse-csv.js';

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
