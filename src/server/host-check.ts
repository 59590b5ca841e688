import type { FastifyInstance } from 'fastify';
import { SetlistError } from '../errors.js';

/**
 * Answers only requests whose `Host` names this machine's loopback (`localhost`, `*.localhost`,
 * `127.x.x.x`, `[::1]`) or one of `extra`. A server without API keys relies on listening on loopback
 * alone, and a web page can still reach it there by DNS rebinding: its own name, re-pointed at
 * 127.0.0.1, sends the page's requests to this port under that name. Requests without a `Host`
 * (HTTP/1.0 tools, never a browser) are let through.
 *
 * @example
 * installHostCheck(app, ['recs.internal']);
 */
export function installHostCheck(app: FastifyInstance, extra: readonly string[] = []): void {
  const allowed = new Set(extra.map((h) => h.toLowerCase()));
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (host === undefined || host === '') return;
    const name = hostName(host);
    if (isLoopbackName(name) || allowed.has(name)) return;
    throw new SetlistError('SETLIST_ERR_FORBIDDEN', {
      message:
        `The Host ${JSON.stringify(host.slice(0, 100))} is not this server's: without API keys it answers ` +
        'only loopback names (localhost, 127.0.0.1, [::1]), so that no web page can reach it by DNS ' +
        'rebinding. Name the host with --allowed-host, or configure API keys.',
      path: 'host',
    });
  });
}

/** The host name of a `Host` header, lowercased, without its port or an IPv6 address's brackets. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** Whether `name` (lowercased, without brackets) is a loopback address or `localhost`: what `serve` may bind without keys. */
export function isLoopbackAddress(name: string): boolean {
  return (
    name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name) || name === '::ffff:127.0.0.1'
  );
}

/** A loopback address, or a `*.localhost` name (RFC 6761: always loopback), as a request may name it. */
function isLoopbackName(name: string): boolean {
  return isLoopbackAddress(name) || name.endsWith('.localhost');
}
