import { Command } from 'commander';
import { registerDemo } from './demo.js';
import { registerEval } from './eval.js';
import { registerEvalLabels } from './eval-labels.js';
import { registerImport } from './import.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTrain } from './train.js';
import { registerWorker } from './worker.js';

/** Builds the `setlist` command line; each command lives in its own file under `cli/`. */
export function buildProgram(): Command {
  const program = new Command('setlist')
    .description('setlist: a real-time recommendation engine for creator platforms')
    .version('0.1.0');
  registerServe(program);
  registerImport(program);
  registerDemo(program);
  registerEval(program);
  registerTrain(program);
  registerEvalLabels(program);
  registerKeys(program);
  registerMigrate(program);
  registerWorker(program);
  registerSimulate(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
