import { preprocess, toUnitPixels } from './preprocess';
import { tinySplit } from './test-utils/idx-fixtures';

describe('preprocessing', () => {
  it('binarizes strictly above the threshold on the [0, 1] scale', () => {
    const bytes = Uint8Array.from([0, 127, 128, 255, 25, 26]);
    expect(Array.from(toUnitPixels(bytes))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(toUnitPixels(bytes, 0.1))).toEqual([0, 1, 1, 1, 0, 1]);
  });

  it('scales to [0, 1] without binarization', () => {
    expect(Array.from(toUnitPixels(Uint8Array.from([0, 51, 255]), 'none'))).toEqual([0, Math.fround(0.2), 1]);
  });

  it('rejects a threshold outside [0, 1)', () => {
    expect(() => toUnitPixels(new Uint8Array(1), 1.5)).toThrow(/threshold must be in \[0, 1\) or 'none', got 1.5/);
  });

  it('applies a limit to images and labels', () => {
    const raw = { split: 'train' as const, count: 12, ...tinySplit(12) };
    const set = preprocess(raw, 0.5, 5);
    expect(set.count).toBe(5);
    expect(set.images.length).toBe(5 * 12);
    expect(Array.from(set.labels)).toEqual([0, 1, 2, 3, 4]);
  });
});
