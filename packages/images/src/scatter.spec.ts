import { DIGIT_COLORS, drawScatter } from './scatter';

describe('drawScatter', () => {
  // Ten points on a diagonal, one per digit.
  const points = Float32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2) - 4.5);
  const labels = Uint8Array.from({ length: 10 }, (_, i) => i);
  const image = drawScatter(points, labels, { size: 300 });
  const pixelsOf = (rgb: readonly number[]) => {
    let n = 0;
    for (let i = 0; i < image.data.length; i += 3) if (image.data[i] === rgb[0] && image.data[i + 1] === rgb[1] && image.data[i + 2] === rgb[2]) n++;
    return n;
  };

  test('is an RGB image of the requested size on white', () => {
    expect([image.width, image.height, image.channels]).toEqual([300, 300, 3]);
    expect(Array.from(image.data.subarray(0, 3))).toEqual([255, 255, 255]);
  });

  test('every digit colour appears: one 3×3 point plus its 10×10 legend swatch', () => {
    DIGIT_COLORS.forEach((color) => expect(pixelsOf(color)).toBe(9 + 100));
  });

  test('draws axes and labels in black', () => {
    expect(pixelsOf([0, 0, 0])).toBeGreaterThan(2 * 200);
  });

  test('is deterministic and validates its input', () => {
    expect(drawScatter(points, labels, { size: 300 }).data).toEqual(image.data);
    expect(() => drawScatter(points, labels.subarray(0, 3))).toThrow(/3 labels need 6 coordinates, got 20/);
  });

  test('names its axes z0, z1 unless told otherwise (pc1, pc2 for a principal plane)', () => {
    expect(drawScatter(points, labels, { size: 300, axisLabels: ['z0', 'z1'] }).data).toEqual(image.data);
    expect(drawScatter(points, labels, { size: 300, axisLabels: ['pc1', 'pc2'] }).data).not.toEqual(image.data);
  });
});
