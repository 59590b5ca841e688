import { isSetlistError } from '../errors.js';
import { main } from './main.js';

// Entry for running the CLI from source (`node --import tsx src/cli/run.ts`); bin/setlist.js runs the build.
main(process.argv).catch((err: unknown) => {
  console.error(
    isSetlistError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : err,
  );
  process.exit(1);
});
