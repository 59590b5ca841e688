import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.js';

const ROOT = new URL('..', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  dependencies: Record<string, string>;
};

test('the package ships the text of its Apache-2.0 license', () => {
  assert.equal(pkg.license, 'Apache-2.0');
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.match(license, /^\s*Apache License\n\s*Version 2\.0, January 2004\n/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(packed.status, 0, packed.stderr);
  const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  assert.ok(files.includes('LICENSE'), files.filter((f) => !f.startsWith('dist/')).join(', '));
});

test('the published declarations type-check in a strict consumer that has only the runtime dependencies', () => {
  // The consumer's node_modules: setlist's package.json and declarations, its dependencies and
  // @types/node, but none of setlist's devDependencies (no @types/better-sqlite3, no @types/pg).
  const consumer = tempDir('setlist-consumer-');
  const modules = join(consumer, 'node_modules');
  const setlist = join(modules, 'setlist');
  const emitted = spawnSync(
    process.execPath,
    [
      TSC,
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--emitDeclarationOnly',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
      '--outDir',
      join(setlist, 'dist'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(emitted.status, 0, emitted.stdout + emitted.stderr);
  cpSync(join(ROOT, 'package.json'), join(setlist, 'package.json'));
  for (const name of [...Object.keys(pkg.dependencies), '@types/node']) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: [],
      },
      include: ['index.ts'],
    }),
  );
  writeFileSync(
    join(consumer, 'index.ts'),
    // The README's embedding example, and a call into each entry.
    [
      "import { createEngine, createSetlist, createSqliteStore, type EventInput } from 'setlist';",
      "import { createPostgresStore, openScaleOutNode } from 'setlist/postgres';",
      "import { createClient } from 'setlist/client';",
      '',
      "const engine = await createSetlist({ dbPath: './setlist.db' });",
      "const events: EventInput[] = [{ userId: 'u1', itemId: 'v1', type: 'like', at: '2024-05-01T10:00:00Z' }];",
      'await engine.ingest({ events });',
      "const { items } = await engine.feed('u1', 20);",
      'await engine.close();',
      "const store = createSqliteStore({ path: ':memory:' });",
      'createEngine({ store });',
      "createPostgresStore({ connectionString: 'postgres://localhost/setlist' });",
      "const client = createClient({ baseUrl: 'http://127.0.0.1:7733' });",
      'export { client, items, openScaleOutNode };',
      '',
    ].join('\n'),
  );
  const checked = spawnSync(process.execPath, [TSC, '-p', consumer], { cwd: consumer, encoding: 'utf8' });
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
});
