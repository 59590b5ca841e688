/**
 * Picks up to `n` candidates in rank order such that no group (a creator) has more than `maxPerGroup`
 * items in any window of `window` consecutive picks. When the constraint leaves slots empty, the
 * remaining candidates fill them in rank order (a full list beats a diverse but short one), unless
 * `relax` is false.
 *
 * @example
 * diversify([0, 1, 2, 3], (i) => (i < 3 ? 0 : 1), 3, { window: 10, maxPerGroup: 2 }); // [0, 1, 3]
 */
export function diversify(
  ranked: ArrayLike<number>,
  groupOf: (candidate: number) => number,
  n: number,
  options: { window: number; maxPerGroup: number; relax?: boolean },
): number[] {
  const picked: number[] = [];
  const used = new Uint8Array(ranked.length);
  const countInWindow = (group: number): number => {
    let c = 0;
    const start = Math.max(0, picked.length - options.window + 1);
    for (let p = start; p < picked.length; p++) if (groupOf(picked[p]!) === group) c++;
    return c;
  };
  while (picked.length < n) {
    let chosen = -1;
    for (let r = 0; r < ranked.length; r++) {
      if (used[r] === 1) continue;
      const g = groupOf(ranked[r]!);
      if (g < 0 || countInWindow(g) < options.maxPerGroup) {
        chosen = r;
        break;
      }
    }
    if (chosen < 0) break;
    used[chosen] = 1;
    picked.push(ranked[chosen]!);
  }
  if (options.relax === false) return picked;
  for (let r = 0; r < ranked.length && picked.length < n; r++) {
    if (used[r] === 0) {
      used[r] = 1;
      picked.push(ranked[r]!);
    }
  }
  return picked;
}
