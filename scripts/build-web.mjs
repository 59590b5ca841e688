#!/usr/bin/env node
// Builds the dashboard (src/web) into static files the server serves at `/`:
// index.html, app.js (the page and the typed client, bundled) and app.css (ours and uPlot's).
// Usage: node scripts/build-web.mjs [--out dist/web] [--dev]
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Bundles the dashboard into `outDir` and returns the folder. */
export async function buildWeb({ outDir = join(repo, 'dist', 'web'), minify = true } = {}) {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { app: join(repo, 'src', 'web', 'main.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  copyFileSync(join(repo, 'src', 'web', 'index.html'), join(out, 'index.html'));
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const outDir = at >= 0 ? args[at + 1] : undefined;
  const started = Date.now();
  const out = await buildWeb({
    ...(outDir === undefined ? {} : { outDir }),
    minify: !args.includes('--dev'),
  });
  console.error(`dashboard built into ${out} in ${Date.now() - started} ms`);
}
