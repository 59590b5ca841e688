import { reportFailure } from './exit-code.js';
import { main } from './main.js';

// Entry for running the CLI from source (`node --import tsx src/cli/run.ts`); bin/setlist.js runs the build.
main(process.argv).catch((err: unknown) => process.exit(reportFailure(err)));
