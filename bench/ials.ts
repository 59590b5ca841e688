// iALS epoch time on the synthetic platform, serial vs. worker threads, against one plain pass over
// the data measured in the same run.
// Run: node --import tsx bench/ials.ts [--items 100000 --users 100000 --events 2000000 --epochs 2 --factors 64]
import os from 'node:os';
import { csrTranspose } from '../src/core/csr.js';
import { IALS_DEFAULTS } from '../src/core/ials.js';
import { fitIalsParallel } from '../src/engine/ials-parallel.js';
import { generatePlatform, parseFlags, plainPass, platformMatrix } from './synthetic.js';

const flags = parseFlags(process.argv.slice(2));
const num = (name: string, fallback: number): number => Number(flags.get(name) ?? fallback);
const size = { items: num('items', 100_000), users: num('users', 100_000), events: num('events', 2_000_000) };
const params = {
  ...IALS_DEFAULTS,
  factors: num('factors', 64),
  epochs: num('epochs', 2),
  cgSteps: num('cg', 2),
};

let t = performance.now();
const platform = generatePlatform(size);
const x = platformMatrix(platform);
console.log(
  `generated ${size.events} events → ${x.indices.length} pairs in ${(performance.now() - t).toFixed(0)} ms`,
);
const xt = csrTranspose(x);
t = performance.now();
const checksum = plainPass(x) + plainPass(xt);
const plainMs = performance.now() - t;
console.log(`plain pass (every nonzero, both orientations): ${plainMs.toFixed(0)} ms (${checksum > 0})`);
for (const workers of (flags.get('workers') ?? '1,2').split(',').map(Number)) {
  const fit = await fitIalsParallel(x, params, { workers });
  const epochs = fit.epochMs.map((ms) => (ms / 1000).toFixed(2));
  const mean = fit.epochMs.reduce((s, v) => s + v, 0) / fit.epochMs.length;
  const cpuS = fit.epochCpuMs.reduce((s, v) => s + v, 0) / fit.epochCpuMs.length / 1000;
  console.log(
    `workers ${workers}, CG ${params.cgSteps}: epoch s ${epochs.join(', ')}; mean ${(mean / 1000).toFixed(2)} s = ` +
      `${(mean / plainMs).toFixed(0)}× plain pass; CPU ${cpuS.toFixed(2)} s per epoch (load ${os.loadavg()[0]!.toFixed(1)})`,
  );
}
