import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { clientErrorHandler } from '../src/server/errors.js';
import { openEngine } from './helpers.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` to a fresh connection and parses every answer that comes back before it closes. */
function rawExchange(port: number, request: string, afterConnect?: (write: (s: string) => void) => void) {
  return new Promise<RawAnswer[]>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswers(Buffer.concat(chunks).toString('utf8'))));
    socket.on('connect', () => {
      socket.write(request);
      afterConnect?.((s) => socket.write(s));
    });
  });
}

function parseAnswers(text: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length']);
    const body = Buffer.from(rest.slice(end + 4))
      .subarray(0, length)
      .toString('utf8');
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = Buffer.from(rest.slice(end + 4))
      .subarray(length)
      .toString('utf8');
  }
  return answers;
}

async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function assertShape(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(answer.body);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
}

describe('answers Node and Fastify give before a route runs', async () => {
  const engine = await openEngine();
  const app = buildApp({ engine, webRoot: false });
  const port = await listening(app);
  after(async () => {
    await app.close();
    await engine.close();
  });

  test('headers over the size limit get 431 SETLIST_ERR_HEADERS_TOO_LARGE in the standard shape', async () => {
    const [answer, ...more] = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.ok(answer !== undefined);
    assert.equal(more.length, 0);
    assertShape(answer, 431, 'SETLIST_ERR_HEADERS_TOO_LARGE');
    assert.match(answer.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  test('a Content-Length that is not a number gets 400 SETLIST_ERR_VALIDATION naming it', async () => {
    const [answer] = await rawExchange(
      port,
      'POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{}',
    );
    assert.ok(answer !== undefined);
    assertShape(answer, 400, 'SETLIST_ERR_VALIDATION');
    assert.equal(JSON.parse(answer.body).error.path, 'content-length');
  });

  test('a malformed request line gets 400 SETLIST_ERR_VALIDATION in the standard shape', async () => {
    const [answer] = await rawExchange(port, 'NOT A REQUEST\r\n\r\n');
    assert.ok(answer !== undefined);
    assertShape(answer, 400, 'SETLIST_ERR_VALIDATION');
  });

  test('an HTTP/1.1 request without a Host gets 400 SETLIST_ERR_VALIDATION naming host, with its X-Request-Id', async () => {
    const [answer] = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nX-Request-Id: no-host-1\r\n\r\n');
    assert.ok(answer !== undefined);
    assertShape(answer, 400, 'SETLIST_ERR_VALIDATION');
    const { error } = JSON.parse(answer.body);
    assert.equal(error.path, 'host');
    assert.match(error.message, /HTTP\/1\.1 requires a Host header/);
    assert.equal(answer.headers['x-request-id'], 'no-host-1');
    // An empty one names no server either.
    const [empty] = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: \r\n\r\n');
    assert.ok(empty !== undefined);
    assertShape(empty, 400, 'SETLIST_ERR_VALIDATION');
  });

  test('an HTTP/1.0 request without a Host is answered', async () => {
    const [answer] = await rawExchange(port, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.equal(answer?.status, 200);
  });

  test('an Expect other than 100-continue gets 417 SETLIST_ERR_EXPECTATION_FAILED with its X-Request-Id', async () => {
    const [answer] = await rawExchange(
      port,
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nX-Request-Id: expect-1\r\n\r\n',
    );
    assert.ok(answer !== undefined);
    assertShape(answer, 417, 'SETLIST_ERR_EXPECTATION_FAILED');
    assert.equal(JSON.parse(answer.body).error.path, 'expect');
    assert.equal(answer.headers['x-request-id'], 'expect-1');
  });

  test('a POST with Expect: 100-continue gets 100 Continue and then its answer', async () => {
    const body = JSON.stringify({ events: [{ userId: 'u-expect', itemId: 'v-expect', type: 'like' }] });
    const answers = await rawExchange(
      port,
      'POST /v1/events HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nConnection: close\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      [100, 200],
    );
  });

  test('a request that did not arrive in time gets 408 SETLIST_ERR_REQUEST_TIMEOUT', () => {
    let written = '';
    const socket = {
      destroyed: false,
      writable: true,
      write(s: string) {
        written += s;
        return true;
      },
      destroy() {},
    };
    const timeout = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    clientErrorHandler.call(app, timeout, socket as never);
    const [answer] = parseAnswers(written);
    assert.ok(answer !== undefined);
    assertShape(answer, 408, 'SETLIST_ERR_REQUEST_TIMEOUT');
  });
});

test('a request arriving while the server closes gets 503 SETLIST_ERR_SHUTTING_DOWN in the standard shape, logged as no error', async () => {
  const engine = await openEngine();
  const logLines: string[] = [];
  const app = buildApp({
    engine,
    webRoot: false,
    logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } },
  });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered!: () => void;
  const slowEntered = new Promise<void>((resolve) => {
    entered = resolve;
  });
  // A request in flight keeps its connection open through close, so the one after it is read then.
  app.get('/slow', async () => {
    entered();
    await gate;
    return { slow: true };
  });
  let received!: () => void;
  const secondReceived = new Promise<void>((resolve) => {
    received = resolve;
  });
  const port = await listening(app);
  app.server.on('request', (req) => {
    if (req.url === '/healthz') received();
  });
  let closed: Promise<void> | undefined;
  const answers = await rawExchange(port, 'GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n', (write) => {
    void slowEntered.then(async () => {
      closed = app.close();
      write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: during-close\r\n\r\n');
      await secondReceived;
      release();
    });
  });
  await closed;
  await engine.close();
  assert.equal(answers.length, 2);
  assert.equal(answers[0]?.status, 200);
  const [, second] = answers;
  assert.ok(second !== undefined);
  assertShape(second, 503, 'SETLIST_ERR_SHUTTING_DOWN');
  assert.equal(second.headers['x-request-id'], 'during-close');
  // Refusing while closing is the server's state, not a failure: an info line, no error with a stack.
  const lines = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string });
  assert.ok(
    lines.some(
      (l) => l.msg === 'request refused' && l.code === 'SETLIST_ERR_SHUTTING_DOWN' && l.level === 30,
    ),
  );
  assert.deepEqual(
    lines.filter((l) => l.level >= 50),
    [],
  );
});

// Without the answer, close waits for the run: the test would hang, so its timeout fails it instead.
const HANG_GUARD = { timeout: 30_000 };

test(
  'closing answers a POST /v1/train?wait=true still training with 503 SETLIST_ERR_SHUTTING_DOWN, and finishes',
  HANG_GUARD,
  async () => {
    const engine = await openEngine();
    let finish!: () => void;
    let started!: () => void;
    const trainingStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    // A training run that lasts until the test ends it, as one of many minutes would.
    const run = new Promise<undefined>((resolve) => {
      finish = () => resolve(undefined);
    });
    const app = buildApp({
      engine: {
        ...engine,
        train: () => {
          started();
          return run;
        },
      },
      webRoot: false,
    });
    const port = await listening(app);
    const answer = fetch(`http://127.0.0.1:${port}/v1/train?wait=true`, { method: 'POST' });
    await trainingStarted;
    await app.close();
    const res = await answer;
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('connection'), 'close');
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SETLIST_ERR_SHUTTING_DOWN');
    assert.match(body.error.message, /training run/);
    finish();
    await engine.close();
  },
);

// Node checked a 200 ms requestTimeout only when its 60 s headersTimeout passed: the guard fails that.
test(
  'a body that stalls gets 408 SETLIST_ERR_REQUEST_TIMEOUT with its request id, logged at info without its headers',
  HANG_GUARD,
  async () => {
    const engine = await openEngine();
    const logLines: string[] = [];
    const app = buildApp({
      engine,
      webRoot: false,
      requestTimeoutMs: 200,
      logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } },
    });
    const port = await listening(app);
    const [answer] = await rawExchange(
      port,
      'POST /v1/events HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: stalled-1\r\nAuthorization: Bearer sl_secret\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ev',
    );
    await app.close();
    await engine.close();
    assert.ok(answer !== undefined);
    assertShape(answer, 408, 'SETLIST_ERR_REQUEST_TIMEOUT');
    assert.equal(answer.headers['x-request-id'], 'stalled-1');
    const lines = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; reqId?: string });
    assert.ok(lines.some((l) => l.msg === 'client error' && l.reqId === 'stalled-1' && l.level === 30));
    assert.ok(!logLines.some((line) => line.includes('sl_secret')));
  },
);

test('a server checking Host refuses an HTTP/1.1 request without one as 400, and a foreign Host as 403', async () => {
  const engine = await openEngine();
  const app = buildApp({ engine, webRoot: false, allowedHosts: [] });
  const port = await listening(app);
  const [missing] = await rawExchange(port, 'GET /v1/status HTTP/1.1\r\n\r\n');
  const [foreign] = await rawExchange(
    port,
    'GET /v1/status HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n',
  );
  await app.close();
  await engine.close();
  assert.ok(missing !== undefined && foreign !== undefined);
  assertShape(missing, 400, 'SETLIST_ERR_VALIDATION');
  assert.equal(JSON.parse(missing.body).error.path, 'host');
  assertShape(foreign, 403, 'SETLIST_ERR_FORBIDDEN');
  assert.match(foreign.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
});
