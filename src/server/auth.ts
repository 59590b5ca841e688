import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SetlistError } from '../errors.js';

export const SCOPES = ['admin', 'ingest', 'read'] as const;
export type Scope = (typeof SCOPES)[number];

/** A configured API key: only the SHA-256 of the secret is kept in memory. */
export interface ApiKey {
  name: string;
  scopes: readonly Scope[];
  /** SHA-256 of the secret, 32 bytes. */
  hash: Buffer;
}

export interface AuthOptions {
  keys: readonly ApiKey[];
}

/** Who made a request, once the auth hook has run; `undefined` when auth is off. */
declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KEY_PREFIX = 'sl_';

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A new random secret: `sl_` and 32 random bytes in base64url. */
export function generateSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

function parseScopes(value: string, where: string): Scope[] {
  const scopes = value.split(/[+,]/).filter((s) => s !== '');
  if (scopes.length === 0) throw configError(`${where}: a key needs at least one scope`, where);
  for (const s of scopes) {
    if (!(SCOPES as readonly string[]).includes(s)) {
      throw configError(`${where}: unknown scope "${s}"; scopes are ${SCOPES.join(', ')}`, where);
    }
  }
  return [...new Set(scopes as Scope[])];
}

function parseName(value: string, where: string): string {
  if (!KEY_NAME.test(value)) {
    throw configError(`${where}: a key name is 1-64 characters of A-Z a-z 0-9 _ . -`, where);
  }
  return value;
}

/**
 * Parses `SETLIST_API_KEYS`: comma-separated `name:scope1+scope2:secret` entries. Secrets are hashed
 * at once and never kept.
 *
 * @example
 * parseApiKeysEnv('ingest-svc:ingest:sl_abc,feeds:read:sl_def');
 */
export function parseApiKeysEnv(value: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const [k, entry] of value.split(',').entries()) {
    if (entry.trim() === '') continue;
    const where = `SETLIST_API_KEYS entry ${k + 1}`;
    const [name, scopes, secret, ...rest] = entry.trim().split(':');
    if (name === undefined || scopes === undefined || secret === undefined || rest.length > 0) {
      throw configError(`${where}: expected name:scope1+scope2:secret`, 'SETLIST_API_KEYS');
    }
    if (secret.length < 16) throw configError(`${where}: the secret must be at least 16 characters`, where);
    keys.push({ name: parseName(name, where), scopes: parseScopes(scopes, where), hash: hashSecret(secret) });
  }
  // Blank is unset; anything else that names no key is a mistake, not authentication turned off.
  if (keys.length === 0 && value.trim() !== '') {
    throw configError(
      'SETLIST_API_KEYS names no key: give name:scope1+scope2:secret entries, or leave it unset',
      'SETLIST_API_KEYS',
    );
  }
  return checkUnique(keys);
}

/**
 * Parses a keys file: one `name:scope1+scope2:sha256:<hex>` line per key (as printed by
 * `setlist keys create`); `#` starts a comment. The file holds hashes only, never secrets.
 */
export function parseKeysFile(text: string, file = 'keys file'): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const [k, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file} line ${k + 1}`;
    const [name, scopes, algo, hex, ...rest] = line.split(':');
    if (
      name === undefined ||
      scopes === undefined ||
      algo !== 'sha256' ||
      hex === undefined ||
      !/^[0-9a-f]{64}$/.test(hex) ||
      rest.length > 0
    ) {
      throw configError(`${where}: expected name:scope1+scope2:sha256:<64 hex digits>`, file);
    }
    keys.push({
      name: parseName(name, where),
      scopes: parseScopes(scopes, where),
      hash: Buffer.from(hex, 'hex'),
    });
  }
  return checkUnique(keys);
}

export function readKeysFile(path: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `Cannot read the keys file ${path}: ${(cause as Error).message}`,
      path: '--keys-file',
      cause,
    });
  }
  return parseKeysFile(text, path);
}

/** The keys-file line for a key: what `setlist keys create` prints. */
export function keysFileLine(name: string, scopes: readonly Scope[], secret: string): string {
  return `${name}:${scopes.join('+')}:sha256:${hashSecret(secret).toString('hex')}`;
}

function checkUnique(keys: ApiKey[]): ApiKey[] {
  const names = new Set<string>();
  for (const k of keys) {
    if (names.has(k.name)) throw configError(`the key name "${k.name}" is used twice`, 'keys');
    names.add(k.name);
  }
  return keys;
}

function configError(message: string, path: string): SetlistError {
  return new SetlistError('SETLIST_ERR_CONFIG', { message, path });
}

/**
 * The key whose hash matches `secret`, or undefined. Every configured key is compared, in constant
 * time per key, so the answer's timing does not depend on which key (if any) matched.
 */
export function findKey(keys: readonly ApiKey[], secret: string): ApiKey | undefined {
  const presented = hashSecret(secret);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(presented, key.hash) && found === undefined) found = key;
  }
  return found;
}

/**
 * The scopes that may call a route (any one suffices), or `'open'`. Unknown reads need `read`,
 * unknown writes `admin`, so a route added later is never open by accident.
 */
export function routeScopes(method: string, route: string | undefined): readonly Scope[] | 'open' {
  const m = method === 'HEAD' ? 'GET' : method;
  if ((route === '/healthz' || route === '/readyz') && m === 'GET') return 'open';
  // The dashboard's static files: a browser cannot send a key when it loads a page; its API calls do.
  if ((route === '/' || route === '/*') && m === 'GET') return 'open';
  if (route === '/metrics') return ['read', 'admin'];
  if (route === '/v1/items/:itemId/audit') return ['admin'];
  if (route === '/v1/train' || route?.startsWith('/v1/admin/')) return ['admin'];
  if (m === 'GET') return ['read'];
  switch (`${m} ${route}`) {
    case 'POST /v1/events':
    case 'PUT /v1/items/:itemId':
    case 'POST /v1/items':
    case 'PUT /v1/users/:userId':
    case 'PATCH /v1/users/:userId/profile':
      return ['ingest'];
    // Either lets the body be read; then field edits need ingest and a visibility change admin.
    case 'PATCH /v1/items/:itemId':
      return ['ingest', 'admin'];
    default:
      return ['admin'];
  }
}

/** Fields of PATCH /v1/items/:itemId that only an admin key may send. */
const ADMIN_PATCH_FIELDS = ['visibility', 'reason', 'actor'];

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Installs API-key authentication: the key from `Authorization: Bearer <key>` is identified in
 * `onRequest` and attached as `request.apiKey` (its name becomes the audit actor); the route's scope
 * is checked in `preParsing`. Install before the rate limiter, which buckets by key name, so that
 * failed attempts are limited too.
 */
export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const keys = options.keys;
  if (keys.length === 0) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: 'auth is on but no API keys are configured',
      path: 'auth.keys',
    });
  }
  // Identify first (onRequest) so the rate limiter can bucket by key; enforce in preParsing, which
  // still runs before any body is read.
  app.addHook('onRequest', async (request) => {
    const secret = bearer(request);
    const key = secret === undefined ? undefined : findKey(keys, secret);
    if (key !== undefined) request.apiKey = key;
  });
  app.addHook('preParsing', async (request, reply, payload) => {
    const needed = routeScopes(request.method, request.routeOptions.url);
    if (needed === 'open') return payload;
    const key = request.apiKey;
    if (key === undefined) {
      // RFC 6750: a 401 names the scheme it wants.
      const presented = bearer(request) !== undefined;
      reply.header('www-authenticate', presented ? 'Bearer error="invalid_token"' : 'Bearer');
      throw new SetlistError('SETLIST_ERR_UNAUTHORIZED', {
        message:
          bearer(request) === undefined
            ? 'This route needs an API key: send it as `Authorization: Bearer <key>`.'
            : 'The API key is not valid.',
      });
    }
    if (!needed.some((s) => key.scopes.includes(s))) {
      // Said up front, so that a read key hiding an item is not sent to get ingest, then refused again.
      const itemEdit = request.method === 'PATCH' && request.routeOptions.url === '/v1/items/:itemId';
      throw forbidden(
        key,
        needed,
        itemEdit ? 'Editing an item (a visibility change: admin only)' : undefined,
      );
    }
    return payload;
  });
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'PATCH' || request.routeOptions.url !== '/v1/items/:itemId') return;
    const key = request.apiKey;
    const body = request.body;
    if (key === undefined || typeof body !== 'object' || body === null) return;
    const fields = Object.keys(body);
    if (fields.some((f) => ADMIN_PATCH_FIELDS.includes(f)) && !key.scopes.includes('admin')) {
      throw forbidden(key, ['admin'], 'Changing visibility');
    }
    // An empty patch still writes the item (its updatedAt): a field edit.
    const fieldEdit = fields.length === 0 || fields.some((f) => !ADMIN_PATCH_FIELDS.includes(f));
    if (fieldEdit && !key.scopes.includes('ingest')) {
      throw forbidden(key, ['ingest'], "Editing an item's fields (all but visibility, reason and actor)");
    }
  });
}

function forbidden(key: ApiKey, needed: readonly Scope[], what = 'This route'): SetlistError {
  return new SetlistError('SETLIST_ERR_FORBIDDEN', {
    message: `${what} needs the ${needed.join(' or ')} scope; the key "${key.name}" has ${key.scopes.join(', ')}.`,
  });
}
