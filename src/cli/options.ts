/**
 * Parsers for the commands' numeric flags: each refuses what is not a whole number in range with a
 * message naming the flag, so `--k abc` or `--rounds 0` stop the command before it runs.
 *
 * @example
 * program.option('--k <n>', 'recommendations per user', wholeNumber('--k', 1), 20);
 */
export function wholeNumber(
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): (value: string) => number {
  return (value) => {
    const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range =
        max !== Number.MAX_SAFE_INTEGER
          ? ` ${min}..${max}`
          : min !== Number.MIN_SAFE_INTEGER
            ? ` >= ${min}`
            : '';
      throw new Error(`${flag} must be a whole number${range}, got "${value}"`);
    }
    return n;
  };
}

/** A seed: any whole number (negative ones too). */
export const seedOption = (flag = '--seed'): ((value: string) => number) =>
  wholeNumber(flag, Number.MIN_SAFE_INTEGER);
