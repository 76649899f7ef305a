import { describe, expect, it } from 'vitest';
import { median, medianRatio, percentile } from './stats.js';

describe('round statistics', () => {
  it('takes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBe(0);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it('pairs ratios round by round: a slow round on both sides does not move the ratio', () => {
    // The machine halves in speed in round 2; each round's ratio is still 0.5.
    expect(medianRatio([500, 250, 500], [1000, 500, 1000])).toBe(0.5);
    // A ratio of medians would say 0.5 too here, but with rounds out of step it would not:
    expect(medianRatio([100, 400, 300], [200, 800, 600])).toBe(0.5);
    expect(medianRatio([1, 2], [0, 0])).toBeUndefined();
  });
});
