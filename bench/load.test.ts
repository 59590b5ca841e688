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

test("an ingest job's duration ends at its last batch's answer, not at autocannon's next one-second tick", async () => {
  const server = Fastify();
  server.post('/v1/events', async () => ({ accepted: 0, duplicates: 0 }));
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const client = startLoadClient();
  try {
    const job = {
      kind: 'ingest',
      url,
      connections: 2,
      batches: 4,
      batchSize: 10,
      users: 5,
      items: 5,
    } as const;
    // The first job warms the client and the server up; the second is timed.
    await client.run(job);
    const result = await client.run(job);
    assert.equal(result.ok, 4);
    assert.ok(result.durationS < 0.5, `${result.durationS} s for 4 instant answers`);
  } finally {
    client.close();
    await server.close();
  }
});
