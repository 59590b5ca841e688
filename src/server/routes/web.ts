import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { routeMissing } from '../errors.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The setlist mark: three lines of a list, served as the icon of the dashboard and of the API's pages. */
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#1d2433"/>' +
  '<rect x="7" y="8" width="18" height="3.5" rx="1.75" fill="#ffffff"/>' +
  '<rect x="7" y="14.25" width="14" height="3.5" rx="1.75" fill="#c8d3ea"/>' +
  '<rect x="7" y="20.5" width="10" height="3.5" rx="1.75" fill="#3b6fd8"/>' +
  '</svg>\n';

/** Paths that belong to the API: never answered with the dashboard's page. */
const API_PREFIXES = ['/v1', '/metrics', '/healthz', '/readyz', '/openapi.json'];

/**
 * Where the built dashboard is: `dist/web` beside the compiled server, or the repository's
 * `dist/web` when the server runs from source. Undefined when it has not been built.
 */
export function findWebRoot(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../../web/', import.meta.url)),
    fileURLToPath(new URL('../../../dist/web/', import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js')));
}

/**
 * Serves the dashboard's static files from `root` at `/`, with a single-page fallback: a browser
 * asking for a client route (`/users/u1`) gets `index.html`. API paths keep their JSON 404.
 */
export function webRoutes(app: FastifyInstance, root: string | undefined): void {
  const base = root === undefined ? undefined : resolve(root);

  const sendFile = async (reply: FastifyReply, file: string): Promise<FastifyReply> => {
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return reply
      .header('content-type', type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };

  const notBuilt = (reply: FastifyReply): FastifyReply =>
    reply
      .status(503)
      .header('content-type', 'text/html; charset=utf-8')
      .send(
        '<!doctype html><meta charset="utf-8"><title>setlist</title><p>The dashboard is not built: ' +
          'run <code>npm run build</code> (or <code>npm run build:web</code>) and reload. The API is ' +
          'at <a href="/openapi.json">/openapi.json</a>.</p>',
      );

  const page = (): string | undefined => {
    const file = base === undefined ? undefined : join(base, 'index.html');
    return file !== undefined && existsSync(file) ? file : undefined;
  };

  app.get('/', async (_request, reply) => {
    const file = page();
    return file === undefined ? notBuilt(reply) : sendFile(reply, file);
  });

  app.get('/*', async (request, reply) => {
    const rawPath = request.url.split('?')[0] ?? '/';
    // Browsers ask for /favicon.ico on every page, the API's JSON included: an icon, not a 404 in the
    // console. Served here, by the open route, so a server with API keys serves it too.
    if (rawPath === '/favicon.ico' || rawPath === '/favicon.svg') {
      return reply
        .header('content-type', 'image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(ICON_SVG);
    }
    if (API_PREFIXES.some((p) => rawPath === p || rawPath.startsWith(`${p}/`))) {
      throw routeMissing(request, reply);
    }
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      throw routeMissing(request, reply);
    }
    const wantsPage = (request.headers.accept ?? '').includes('text/html');
    const index = page();
    if (base === undefined || index === undefined) {
      if (wantsPage) return notBuilt(reply);
      throw routeMissing(request, reply);
    }
    const segments = path.split('/').filter((s) => s !== '');
    const safe = segments.every((s) => s !== '..' && s !== '.' && !s.includes('\\') && !s.includes('\0'));
    if (safe) {
      const file = resolve(base, ...segments);
      if (file.startsWith(base + sep)) {
        const info = await stat(file).catch(() => undefined);
        if (info?.isFile()) return sendFile(reply, file);
      }
    }
    // A browser navigating to a client route (/users/u1, /items/clip.mp4) gets the page, which routes
    // it; scripts and styles are not asked for as text/html, so a missing asset stays a 404.
    if (safe && wantsPage) return sendFile(reply, index);
    throw routeMissing(request, reply);
  });
}
