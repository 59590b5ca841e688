// The blocked Cholesky inverse (src/core/spd-inverse.ts) against a textbook unblocked
// Cholesky-then-solve inverse on the same SPD matrix; prints CPU ms and the ratio.
// Run: node --import tsx bench/spd-inverse.ts [n]
import { spdInverse } from '../src/core/spd-inverse.js';

const n = Number(process.argv[2] ?? 1200);
const a = new Float64Array(n * n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-Math.abs(i - j) / 5) + (i === j ? 1 : 0);
}

/** Textbook: column-oriented Cholesky, then n forward/back solves against unit vectors. */
function naiveInverse(m: Float64Array, size: number): Float64Array {
  const l = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    let d = m[j * size + j]!;
    for (let k = 0; k < j; k++) d -= l[j * size + k]! ** 2;
    const root = Math.sqrt(d);
    l[j * size + j] = root;
    for (let i = j + 1; i < size; i++) {
      let s = m[i * size + j]!;
      for (let k = 0; k < j; k++) s -= l[i * size + k]! * l[j * size + k]!;
      l[i * size + j] = s / root;
    }
  }
  const inv = new Float64Array(size * size);
  const y = new Float64Array(size);
  for (let c = 0; c < size; c++) {
    for (let i = 0; i < size; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * size + k]! * y[k]!;
      y[i] = s / l[i * size + i]!;
    }
    for (let i = size - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < size; k++) s -= l[k * size + i]! * inv[k * size + c]!;
      inv[i * size + c] = s / l[i * size + i]!;
    }
  }
  return inv;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let start = cpuMs();
naiveInverse(a, n);
const naiveMs = cpuMs() - start;
start = cpuMs();
spdInverse(a.slice(), n);
const blockedMs = cpuMs() - start;
console.log(`n=${n}: textbook ${naiveMs.toFixed(0)} ms, blocked ${blockedMs.toFixed(0)} ms CPU`);
console.log(`blocked is ${(naiveMs / blockedMs).toFixed(2)}× faster`);
