import { SetQualityBoundsSchema } from '@cvae/formats';
import { proposedSetBounds } from './quality-gate';

describe('proposedSetBounds', () => {
  it('leaves room above the measured model: FID × 1.4, every class ≥ 0.5%, entropy − 0.15, confidence − 0.08', () => {
    // The reference's prior samples.
    expect(proposedSetBounds({ fid: 93.11, entropy: 2.163, meanConfidence: 0.934 })).toEqual({ maxFid: 131, minClassShare: 0.005, minEntropy: 2.01, minMeanConfidence: 0.85 });
  });

  it('never proposes a bound the suite schema refuses, even for a barely trained model', () => {
    // A model after a few steps: one class, unsure — entropy and confidence below the allowances.
    const bounds = proposedSetBounds({ fid: 412.3, entropy: 0.1, meanConfidence: 0.05 });
    expect(bounds).toEqual({ maxFid: 578, minClassShare: 0.005, minEntropy: 0, minMeanConfidence: 0 });
    expect(SetQualityBoundsSchema.safeParse(bounds).success).toBe(true);
  });
});
