import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BENCH = fileURLToPath(new URL('./startup.ts', import.meta.url));

test('bench/startup.ts writes a store, replays it, and reports serving before ready with every event', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', BENCH, '--items', '2000', '--users', '1000', '--events', '30000', '--json'],
    { timeout: 120_000 },
  );
  const result = JSON.parse(stdout) as Record<string, number | string>;
  assert.equal(result['events replayed'], 30_000);
  const serving = result['serving after (s)'] as number;
  const ready = result['ready after (s)'] as number;
  assert.ok(serving >= 0 && serving <= ready, `${serving} <= ${ready}`);
  assert.match(String(result['feed p50 / p99 / max (ms)']), /^[\d.]+ \/ [\d.]+ \/ [\d.]+$/);
});
