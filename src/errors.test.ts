import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCatalogue, SetlistError } from './errors.js';

test('every error code is documented in docs/reference/errors.md', () => {
  const doc = readFileSync(new URL('../docs/reference/errors.md', import.meta.url), 'utf8');
  const missing = Object.keys(errorCatalogue).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});

test('every error code in the catalogue is raised by some module', () => {
  const root = new URL('.', import.meta.url);
  const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'errors.ts')
    .map((f) => readFileSync(new URL(f, root), 'utf8'))
    .join('\n');
  const unused = Object.keys(errorCatalogue).filter((code) => !sources.includes(`'${code}'`));
  assert.deepEqual(unused, []);
});

test('an error serialises to the contract shape with its path', () => {
  const err = new SetlistError('SETLIST_ERR_VALIDATION', { message: 'bad', path: 'events.0.type' });
  assert.deepEqual(err.toJSON(), {
    error: { code: 'SETLIST_ERR_VALIDATION', message: 'bad', path: 'events.0.type' },
  });
  assert.equal(err.status, 400);
});
