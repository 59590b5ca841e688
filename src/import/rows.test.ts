import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coerceCsvRow, parseCsvRows } from './rows.js';

test('quoted fields keep commas, quotes and line breaks', () => {
  const { rows, errors } = parseCsvRows('id,caption\nv1,"a, ""b""\nc"\nv2,plain\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(
    rows.map((r) => [r.line, r.value.caption]),
    [
      [2, 'a, "b"\nc'],
      [4, 'plain'],
    ],
  );
});

test('a bare carriage return inside an unquoted field stays in the field', () => {
  const { rows } = parseCsvRows('id,caption\r\nv1,line\rmore\r\nv2,x\r\n');
  assert.deepEqual(
    rows.map((r) => r.value.caption),
    ['line\rmore', 'x'],
  );
});

test('a row with the wrong number of columns is an error with its line number', () => {
  const { rows, errors } = parseCsvRows('a,b\n1,2\n3\n');
  assert.equal(rows.length, 1);
  assert.deepEqual(errors, [{ line: 3, message: 'expected 2 columns, found 1' }]);
});

test('numeric and list columns are coerced', () => {
  assert.deepEqual(coerceCsvRow({ at: '12', tags: 'a|b; c', id: '007' }, ['at'], ['tags']), {
    at: 12,
    tags: ['a', 'b', 'c'],
    id: '007',
  });
});
