import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../src/engine/engine.js';
import { buildApp } from '../src/server/app.js';
import { openEngine } from './helpers.js';

describe('compressed request bodies', () => {
  let engine: Engine;
  let app: FastifyInstance;
  before(async () => {
    engine = await openEngine();
    app = buildApp({ engine, webRoot: false, bodyLimitBytes: 64 * 1024 });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await engine.close();
  });

  const batch = (prefix: string, n: number) =>
    Buffer.from(
      JSON.stringify({
        events: Array.from({ length: n }, (_, k) => ({
          userId: `${prefix}-u${k % 7}`,
          itemId: `v${k}`,
          type: 'view',
        })),
      }),
    );
  const send = (body: Buffer, encoding: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      payload: body,
    });

  test('a batch sent gzip, deflate or br is decoded and stored', async () => {
    const encoders: [string, (b: Buffer) => Buffer][] = [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
      ['identity', (b) => b],
    ];
    let stored = 0;
    for (const [encoding, encode] of encoders) {
      const plain = batch(encoding, 300);
      const sent = encode(plain);
      const res = await send(sent, encoding);
      assert.equal(res.statusCode, 200, `${encoding}: ${res.body}`);
      assert.equal(res.json().accepted, 300, encoding);
      stored += 300;
      if (encoding !== 'identity') assert.ok(sent.length * 5 < plain.length, `${encoding} compresses`);
    }
    assert.equal((await engine.status()).counts.events, stored);
  });

  test('an encoding not supported is 415 naming content-encoding, and nothing is stored', async () => {
    const before = (await engine.status()).counts.events;
    const res = await send(gzipSync(batch('zstd', 5)), 'zstd');
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'SETLIST_ERR_UNSUPPORTED_MEDIA_TYPE');
    assert.equal(res.json().error.path, 'content-encoding');
    assert.equal((await engine.status()).counts.events, before);
  });

  test('a body that is not what its encoding says is 400 naming content-encoding', async () => {
    const before = (await engine.status()).counts.events;
    const res = await send(batch('plain', 5), 'gzip');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'SETLIST_ERR_VALIDATION');
    assert.equal(res.json().error.path, 'content-encoding');
    assert.equal((await engine.status()).counts.events, before);
  });

  test('the body limit holds for the decoded bytes: a small gzip that inflates past it is 413', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 64 * 1024, `${bomb.length} bytes compressed`);
    const res = await send(bomb, 'gzip');
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'SETLIST_ERR_BODY_TOO_LARGE');
  });
});
