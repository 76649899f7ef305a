/** The middle value (the lower one of the two middles for an even count); 0 for no values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : 0;
}

/** The p-th percentile (0–100) of unsorted samples, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Ratios of paired rounds (round i of the scenario over round i of its ceiling, both measured close
 * together), then their median: a slow patch of the machine hits both sides of one ratio instead
 * of skewing a ratio of two medians taken at different times.
 */
export function medianRatio(numerators: readonly number[], denominators: readonly number[]): number | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
    const d = denominators[i] as number;
    if (d > 0) ratios.push((numerators[i] as number) / d);
  }
  return ratios.length ? median(ratios) : undefined;
}
