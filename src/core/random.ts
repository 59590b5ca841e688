/**
 * A small, fast, seeded pseudo-random generator (mulberry32). Every random choice in setlist goes
 * through one of these so that runs are reproducible.
 *
 * @example
 * const rng = createRandom(42);
 * rng.next(); // a float in [0, 1)
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A standard normal draw (Box-Muller). */
  normal(): number;
  /** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000). */
  gamma(shape: number): number;
  /** A Beta(a, b) draw, from two gamma draws. */
  beta(a: number, b: number): number;
  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T>(values: T[]): T[];
}

export function createRandom(seed: number): Random {
  // The state and the spare normal live in typed arrays: a closure's variable holding a number beyond
  // a small integer is a boxed heap number, allocated anew on every write (Thompson sampling draws
  // thousands per feed). The same arithmetic, the same stream.
  const state = Uint32Array.of(seed >>> 0);
  const spare = new Float64Array(1);
  let hasSpare = false;
  const next = (): number => {
    state[0] = state[0]! + 0x6d2b79f5;
    let t = state[0]!;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare[0]!;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare[0] = r * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number): number => {
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
      let u = 0;
      while (u === 0) u = next();
      return gamma(shape + 1) * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal,
    gamma,
    beta: (a, b) => {
      const x = gamma(a);
      const y = gamma(b);
      return x / (x + y);
    },
    shuffle: (values) => {
      for (let i = values.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = values[i]!;
        values[i] = values[j]!;
        values[j] = tmp;
      }
      return values;
    },
  };
}

/**
 * A 32-bit seed derived from a base seed and some parts (FNV-1a over their text, then a final mix),
 * for random streams that must be the same whenever the same parts come again.
 *
 * @example
 * createRandom(seedFrom(42, 'u1', 17)); // the same stream for user u1 at state 17, every time
 */
export function seedFrom(base: number, ...parts: (string | number)[]): number {
  let h = (0x811c9dc5 ^ base) >>> 0;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}
