import { Command } from 'commander';

/** Builds the `setlist` command line; each command lives in its own file under `cli/`. */
export function buildProgram(): Command {
  const program = new Command('setlist')
    .description('setlist: a real-time recommendation engine for creator platforms')
    .version('0.1.0');
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
