#!/usr/bin/env -S node --no-memory-reducer
import { reportFailure } from '../dist/cli/exit-code.js';
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => process.exit(reportFailure(err)));
