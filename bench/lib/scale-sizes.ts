/** The fleet sizes of `--scale` and the result keys they are reported under. */

/** The base fleet size `--scale N` compares N with. */
export const SCALE_BASE_TARGETS = 10_000;

/** `--scale N` (or `--scale=N`): [10000, N]; `--scale A,B`: [A, B]. */
export function parseScale(argv: readonly string[]): number[] | null {
  const i = argv.findIndex((a) => a === '--scale' || a.startsWith('--scale='));
  if (i < 0) return null;
  const text = argv[i] === '--scale' ? argv[i + 1] : argv[i].slice('--scale='.length);
  const sizes = (text ?? '').split(',').map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 10)) {
    throw new Error(`--scale needs fleet sizes of at least 10 targets (--scale 100000 or --scale 200,400), got "${text ?? ''}"`);
  }
  return [...new Set(sizes.length === 1 ? [SCALE_BASE_TARGETS, sizes[0]] : sizes)].sort((a, b) => a - b);
}

/** Result key of a fleet size: scale10k, scale100k, scale250. */
export function scaleKey(targets: number): string {
  return targets % 1000 === 0 ? `scale${targets / 1000}k` : `scale${targets}`;
}
