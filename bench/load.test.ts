import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { startLoadClient } from './load.js';

test('a load client started once runs one job after another until closed', async () => {
  const server = Fastify();
  let posted = 0;
  server.post('/v1/events', async (req) => {
    posted += (req.body as { events: unknown[] }).events.length;
    return { accepted: 0, duplicates: 0 };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const client = startLoadClient();
  try {
    const job = {
      kind: 'ingest',
      url,
      connections: 2,
      batches: 3,
      batchSize: 10,
      users: 5,
      items: 5,
    } as const;
    const first = await client.run(job);
    const second = await client.run({ ...job, batches: 2 });
    assert.equal(first.ok, 3);
    assert.equal(second.ok, 2);
    assert.equal(posted, 50);
  } finally {
    client.close();
    await server.close();
  }
});
