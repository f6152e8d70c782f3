import { SetQualityBoundsSchema } from '@cvae/formats';
import { proposedSetBounds } from './quality-gate';

describe('proposedSetBounds', () => {
  it('leaves room above the measured model: FID × 1.4, every class ≥ 0.5%, entropy − 0.15, confidence − 0.08', () => {
    // The reference's prior samples.
    expect(proposedSetBounds({ fid: 93.11, entropy: 2.163, meanConfidence: 0.934, minClassShare: 0.0221 })).toEqual({ maxFid: 131, minClassShare: 0.005, minEntropy: 2.01, minMeanConfidence: 0.85 });
  });

  it('proposes only bounds the measured checkpoint passes and the suite schema accepts, even for a barely trained model', () => {
    // A model after a few steps: unsure, and its rarest class already below 0.5% of the samples.
    const set = { fid: 412.3, entropy: 0.1, meanConfidence: 0.05, minClassShare: 0.0031 };
    const bounds = proposedSetBounds(set);
    expect(bounds).toEqual({ maxFid: 578, minClassShare: 0.0015, minEntropy: 0, minMeanConfidence: 0 });
    expect(SetQualityBoundsSchema.safeParse(bounds).success).toBe(true);
    expect(set.minClassShare).toBeGreaterThanOrEqual(bounds.minClassShare ?? Infinity);
    // A class that is already gone cannot be asked for.
    expect(proposedSetBounds({ ...set, minClassShare: 0 }).minClassShare).toBe(0);
  });
});
