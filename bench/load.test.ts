import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { type LoadClient, startLoadClient } from './load.js';

/** An ingest job of `batches` batches of 10 events against a local `/v1/events`, and a load client. */
async function withIngestServer(
  onEvents: (events: unknown[]) => void,
  run: (client: LoadClient, job: (batches: number) => Parameters<LoadClient['run']>[0]) => Promise<void>,
): Promise<void> {
  const server = Fastify();
  server.post('/v1/events', async (req) => {
    onEvents((req.body as { events: unknown[] }).events);
    return { accepted: 0, duplicates: 0 };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const client = startLoadClient();
  try {
    await run(client, (batches) => ({
      kind: 'ingest',
      url,
      connections: 2,
      batches,
      batchSize: 10,
      users: 5,
      items: 5,
    }));
  } finally {
    client.close();
    await server.close();
  }
}

test('a load client started once runs one job after another until closed', async () => {
  let posted = 0;
  await withIngestServer(
    (events) => {
      posted += events.length;
    },
    async (client, job) => {
      const first = await client.run(job(3));
      const second = await client.run(job(2));
      assert.equal(first.ok, 3);
      assert.equal(second.ok, 2);
      assert.equal(posted, 50);
    },
  );
});

test("an ingest job's duration ends at its last batch's answer, not at autocannon's next one-second tick", async () => {
  await withIngestServer(
    () => {},
    async (client, job) => {
      // The first job warms the client and the server up; the second is timed.
      await client.run(job(4));
      const result = await client.run(job(4));
      assert.equal(result.ok, 4);
      assert.ok(result.durationS < 0.5, `${result.durationS} s for 4 instant answers`);
    },
  );
});
