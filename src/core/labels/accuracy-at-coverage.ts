/**
 * Selective accuracy: answer only the share `coverage` of items the model is most confident about
 * and measure accuracy on those. Items are ranked by `confidence`, ties keeping input order; the
 * result has one accuracy per coverage level (NaN when a level selects no item).
 *
 * @example
 * accuracyAtCoverage(Float64Array.of(0.9, 0.2, 0.8, 0.1), Uint8Array.of(1, 0, 1, 1), [1, 0.5]); // [0.75, 1]
 */
export function accuracyAtCoverage(
  confidence: ArrayLike<number>,
  correct: ArrayLike<number>,
  coverages: readonly number[],
): number[] {
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => confidence[b]! - confidence[a]! || a - b,
  );
  const correctSoFar = new Float64Array(n + 1);
  for (let r = 0; r < n; r++) correctSoFar[r + 1] = correctSoFar[r]! + (correct[order[r]!] ? 1 : 0);
  return coverages.map((coverage) => {
    const answered = Math.round(Math.min(1, Math.max(0, coverage)) * n);
    return answered === 0 ? Number.NaN : correctSoFar[answered]! / answered;
  });
}
