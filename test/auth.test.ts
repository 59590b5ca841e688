import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createKeyText, parseScopeList } from '../src/cli/keys.js';
import { checkExposure, isLoopback, loadApiKeys } from '../src/cli/serve.js';
import { buildApp } from '../src/server/app.js';
import { type ApiKey, findKey, keysFileLine, parseApiKeysEnv, parseKeysFile } from '../src/server/auth.js';
import { startChildServer, stopAllChildServers } from './child-server.js';
import { openEngine, tempDbPath, tempDir } from './helpers.js';

const SECRETS = {
  reader: 'sl_reader-secret-0123456789',
  writer: 'sl_writer-secret-0123456789',
  admin: 'sl_admin-secret-01234567890',
  adminOnly: 'sl_admin-only-secret-0123456',
  all: 'sl_all-scopes-secret-0123456',
};
const keys = [
  ...parseApiKeysEnv(
    `reader:read:${SECRETS.reader},writer:ingest:${SECRETS.writer},moderator:admin:${SECRETS.adminOnly},` +
      `everything:read+ingest+admin:${SECRETS.all}`,
  ),
  ...parseKeysFile(`# moderators\n${keysFileLine('trust-team', ['admin', 'read'], SECRETS.admin)}\n`),
];

const engine = await openEngine();
const logLines: string[] = [];
const app = buildApp({
  engine,
  auth: { keys },
  logger: {
    level: 'info',
    stream: { write: (line: string) => logLines.push(line) },
    serializers: { req: (req: { headers: unknown }) => ({ headers: req.headers }) },
  },
});
await app.ready();
after(() => app.close());

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe('API keys and scopes', () => {
  test('a route without a key gets 401 SETLIST_ERR_UNAUTHORIZED', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/status' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'SETLIST_ERR_UNAUTHORIZED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  });

  test('a wrong key gets 401 and writes nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer('sl_not-a-key-0000000000000'),
      payload: { events: [{ userId: 'u', itemId: 'i', type: 'view' }] },
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal((await engine.status()).counts.events, 0);
  });

  test('healthz is open', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  test('a read key can read but not write', async () => {
    const status = await app.inject({ method: 'GET', url: '/v1/status', headers: bearer(SECRETS.reader) });
    assert.equal(status.statusCode, 200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(SECRETS.reader) });
    assert.equal(metrics.statusCode, 200);
    const write = await app.inject({
      method: 'PUT',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.reader),
      payload: {},
    });
    assert.equal(write.statusCode, 403);
    assert.equal(write.json().error.code, 'SETLIST_ERR_FORBIDDEN');
  });

  test('an ingest key writes items and events but cannot read feeds', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.writer),
      payload: { tags: ['a'] },
    });
    assert.equal(put.statusCode, 200);
    const events = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(SECRETS.writer),
      payload: { events: [{ userId: 'u1', itemId: 'v1', type: 'view' }] },
    });
    assert.equal(events.statusCode, 200);
    const feed = await app.inject({
      method: 'GET',
      url: '/v1/users/u1/feed',
      headers: bearer(SECRETS.writer),
    });
    assert.equal(feed.statusCode, 403);
  });

  test('changing visibility needs the admin scope, and the audit names the key', async () => {
    const asWriter = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.writer),
      payload: { visibility: 'hidden', reason: 'spam' },
    });
    assert.equal(asWriter.statusCode, 403);
    assert.equal((await engine.getItem('v1')).visibility, 'visible');
    // A read key is told at once that hiding takes admin, not sent to get ingest first.
    const asReader = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.reader),
      payload: { visibility: 'hidden', reason: 'spam' },
    });
    assert.equal(asReader.statusCode, 403);
    assert.match(
      asReader.json().error.message,
      /^Editing an item \(a visibility change: admin only\) needs the/,
    );
    const fieldEdit = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.writer),
      payload: { caption: 'edited' },
    });
    assert.equal(fieldEdit.statusCode, 200);
    const asAdmin = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v1',
      headers: bearer(SECRETS.admin),
      payload: { visibility: 'hidden', reason: 'under review', actor: 'mod-7' },
    });
    assert.equal(asAdmin.statusCode, 200);
    const audit = await app.inject({
      method: 'GET',
      url: '/v1/items/v1/audit',
      headers: bearer(SECRETS.admin),
    });
    assert.equal(audit.json().audit[0].actor, 'trust-team (for mod-7)');
    const auditAsReader = await app.inject({
      method: 'GET',
      url: '/v1/items/v1/audit',
      headers: bearer(SECRETS.reader),
    });
    assert.equal(auditAsReader.statusCode, 403);
  });

  test("editing an item's fields needs the ingest scope: an admin key without it is refused", async () => {
    await engine.putItem('v9', { caption: 'before' });
    const fieldEdit = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v9',
      headers: bearer(SECRETS.adminOnly),
      payload: { caption: 'edited' },
    });
    assert.equal(fieldEdit.statusCode, 403);
    assert.equal(fieldEdit.json().error.code, 'SETLIST_ERR_FORBIDDEN');
    assert.match(fieldEdit.json().error.message, /needs the ingest scope; the key "moderator" has admin/);
    // A field edit sent along with a visibility change is refused whole.
    const mixed = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v9',
      headers: bearer(SECRETS.adminOnly),
      payload: { caption: 'edited', visibility: 'hidden', reason: 'spam' },
    });
    assert.equal(mixed.statusCode, 403);
    const item = await engine.getItem('v9');
    assert.equal(item.caption, 'before');
    assert.equal(item.visibility, 'visible');
    const hide = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v9',
      headers: bearer(SECRETS.adminOnly),
      payload: { visibility: 'hidden', reason: 'spam' },
    });
    assert.equal(hide.statusCode, 200);
  });

  test('a visibility change with field edits needs both scopes', async () => {
    await engine.putItem('v10', { caption: 'before' });
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v10',
      headers: bearer(SECRETS.all),
      payload: { caption: 'edited', visibility: 'hidden', reason: 'spam' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal((await engine.getItem('v10')).caption, 'edited');
  });

  test('an unknown write route needs admin, so new routes are never open by accident', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/train', headers: bearer(SECRETS.writer) });
    assert.equal(res.statusCode, 403);
  });

  test('keys never appear in the log, even when headers are logged', async () => {
    await app.inject({ method: 'GET', url: '/v1/status', headers: bearer(SECRETS.reader) });
    const log = logLines.join('');
    assert.match(log, /\[redacted\]/);
    for (const secret of Object.values(SECRETS)) assert.ok(!log.includes(secret));
  });
});

describe('CORS is off', () => {
  test('no CORS headers on a cross-origin request or a preflight', async () => {
    const open = buildApp({ engine });
    const get = await open.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://evil.example' },
    });
    const preflight = await open.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    for (const res of [get, preflight]) {
      const allow = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
      assert.deepEqual(allow, []);
    }
    assert.ok(preflight.statusCode >= 400);
    await open.close();
  });
});

describe('key configuration', () => {
  test('a key matches only its own secret', () => {
    assert.equal(findKey(keys, SECRETS.admin)?.name, 'trust-team');
    assert.equal(findKey(keys, SECRETS.reader)?.name, 'reader');
    assert.equal(findKey(keys, `${SECRETS.reader}x`), undefined);
  });

  test('a keys file holds only the hash, and an unknown scope is a config error', () => {
    const line = keysFileLine('svc', ['read'], SECRETS.reader);
    assert.ok(!line.includes(SECRETS.reader));
    assert.throws(() => parseApiKeysEnv(`svc:write:${SECRETS.reader}`), { code: 'SETLIST_ERR_CONFIG' });
    // A value that names no key is a mistake; blank is unset.
    for (const value of [',', ' , ']) {
      assert.throws(() => parseApiKeysEnv(value), { code: 'SETLIST_ERR_CONFIG', path: 'SETLIST_API_KEYS' });
    }
    assert.deepEqual(parseApiKeysEnv(' '), []);
    assert.throws(() => parseKeysFile('svc:read:md5:abc'), { code: 'SETLIST_ERR_CONFIG' });
    assert.throws(() => parseScopeList('read,root'), { code: 'SETLIST_ERR_CONFIG' });
  });

  test('keys create prints a fresh secret whose keys-file line authenticates it', () => {
    const text = createKeyText('feeds', ['read']);
    const secret = /key:\s+(\S+)/.exec(text)?.[1] ?? '';
    const line = /keys file:\s+(\S+)/.exec(text)?.[1] ?? '';
    const parsed: ApiKey[] = parseKeysFile(line);
    assert.equal(findKey(parsed, secret)?.name, 'feeds');
    assert.notEqual(/key:\s+(\S+)/.exec(createKeyText('feeds', ['read']))?.[1], secret);
  });

  test('a keys file asked for that holds no key is a config error, not authentication turned off', () => {
    const file = join(tempDir('keys-'), 'keys.txt');
    writeFileSync(file, '# the keys go here\n\n');
    assert.throws(() => loadApiKeys({ keysFile: file }, {}), {
      code: 'SETLIST_ERR_CONFIG',
      path: '--keys-file',
      message: new RegExp(`The keys file ${file} holds no key`),
    });
    writeFileSync(file, `${keysFileLine('svc', ['read'], SECRETS.reader)}\n`);
    assert.deepEqual(
      loadApiKeys({ keysFile: file }, {}).map((k) => k.name),
      ['svc'],
    );
    assert.deepEqual(loadApiKeys({}, {}), [], 'no file asked for: no keys, as before');
  });

  test('serving without keys is allowed on loopback only', () => {
    assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1'));
    assert.doesNotThrow(() => checkExposure('127.0.0.1', []));
    assert.throws(() => checkExposure('0.0.0.0', []), { code: 'SETLIST_ERR_CONFIG' });
    assert.doesNotThrow(() => checkExposure('0.0.0.0', keys));
  });
});

test('request and connection timeouts are set, and configurable', async () => {
  const defaults = buildApp({ engine });
  assert.equal(defaults.server.requestTimeout, 30_000);
  assert.equal(defaults.initialConfig.connectionTimeout, 120_000);
  const custom = buildApp({ engine, requestTimeoutMs: 5_000, connectionTimeoutMs: 10_000 });
  assert.equal(custom.server.requestTimeout, 5_000);
  assert.equal(custom.initialConfig.connectionTimeout, 10_000);
  await Promise.all([defaults.close(), custom.close()]);
});

describe('rate limits', () => {
  test('past the burst a key gets 429 SETLIST_ERR_RATE_LIMITED with Retry-After', async () => {
    const limited = buildApp({ engine, auth: { keys }, rateLimit: { requestsPerSecond: 0.5, burst: 3 } });
    const codes: number[] = [];
    let last: Awaited<ReturnType<typeof limited.inject>> | undefined;
    for (let k = 0; k < 4; k++) {
      last = await limited.inject({ method: 'GET', url: '/v1/status', headers: bearer(SECRETS.reader) });
      codes.push(last.statusCode);
    }
    assert.deepEqual(codes, [200, 200, 200, 429]);
    assert.equal(last?.json().error.code, 'SETLIST_ERR_RATE_LIMITED');
    assert.match(last?.json().error.message, /^Too many requests for this key/);
    assert.equal(last?.headers['retry-after'], '2');
    // Another key still has its own budget; healthz is never limited.
    const other = await limited.inject({ method: 'GET', url: '/v1/status', headers: bearer(SECRETS.admin) });
    assert.equal(other.statusCode, 200);
    assert.equal((await limited.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await limited.close();
  });

  test('attempts with bad keys are limited per IP address', async () => {
    const limited = buildApp({ engine, auth: { keys }, rateLimit: { requestsPerSecond: 0.1, burst: 2 } });
    const codes: number[] = [];
    for (let k = 0; k < 3; k++) {
      const res = await limited.inject({
        method: 'GET',
        url: '/v1/status',
        headers: bearer(`sl_guess-${k}-00000000`),
      });
      codes.push(res.statusCode);
    }
    assert.deepEqual(codes, [401, 401, 429]);
    const refused = await limited.inject({ method: 'GET', url: '/v1/status' });
    assert.match(refused.json().error.message, /^Too many requests from this address/);
    await limited.close();
  });
});

describe('setlist serve exposure', { concurrency: true }, () => {
  after(stopAllChildServers);

  test('serve refuses a non-loopback host without keys, with SETLIST_ERR_CONFIG and exit 1', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/run.ts',
          'serve',
          '--host',
          '0.0.0.0',
          '--port',
          '0',
          '--db',
          tempDbPath(),
        ],
        { encoding: 'utf8', timeout: 90_000, env: { ...process.env, SETLIST_API_KEYS: '' } },
        (err, _stdout, stderr) => resolve({ code: err === null ? 0 : (err.code as number | null), stderr }),
      );
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^SETLIST_ERR_CONFIG: Refusing to serve on 0\.0\.0\.0 without API keys/m);
  });

  test('serve with keys from SETLIST_API_KEYS requires them over real HTTP', async () => {
    const server = await startChildServer({
      db: tempDbPath(),
      env: { SETLIST_API_KEYS: `reader:read:${SECRETS.reader}`, SETLIST_LOG_LEVEL: 'info' },
    });
    assert.equal((await fetch(`${server.url}/v1/status`)).status, 401);
    const ok = await fetch(`${server.url}/v1/status`, { headers: bearer(SECRETS.reader) });
    assert.equal(ok.status, 200);
    assert.ok(!server.stderr().includes(SECRETS.reader));
    server.child.kill('SIGKILL');
    await server.exited;
  });
});
