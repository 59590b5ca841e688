#!/usr/bin/env -S node --no-memory-reducer
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  const code = typeof err?.code === 'string' && err.code.startsWith('SETLIST_ERR_') ? `${err.code}: ` : '';
  console.error(err instanceof Error ? `${code}${err.message}` : err);
  process.exit(1);
});
