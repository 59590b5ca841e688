import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCatalogue, SetlistError } from './errors.js';

test('every error code is documented in docs/reference/errors.md', () => {
  const doc = readFileSync(new URL('../docs/reference/errors.md', import.meta.url), 'utf8');
  const missing = Object.keys(errorCatalogue).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});

test('an error serialises to the contract shape with its path', () => {
  const err = new SetlistError('SETLIST_ERR_VALIDATION', { message: 'bad', path: 'events.0.type' });
  assert.deepEqual(err.toJSON(), {
    error: { code: 'SETLIST_ERR_VALIDATION', message: 'bad', path: 'events.0.type' },
  });
  assert.equal(err.status, 400);
});
