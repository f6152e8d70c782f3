import { dimsPlane, float32FromBase64, lerp, pointOnPlane, project, slerp, steps } from './latent-math';

describe('the explorer\'s latent math', () => {
  it('pointOnPlane sets the plane coordinates and keeps the rest of the held point', () => {
    const s = Math.SQRT1_2;
    const plane = { u: [s, s, 0], v: [0, 0, 1] };
    const z = pointOnPlane(plane, 2, -1, [1, -1, 5]);
    expect(project(plane, z).map((x) => +x.toFixed(12))).toEqual([2, -1]);
    expect(z[0] - z[1]).toBeCloseTo(2, 12); // the component along (1, −1, 0), outside the plane, is the held point's
    expect(pointOnPlane(dimsPlane(3, 0, 2), 0.5, 1.5, [0, 7, 0])).toEqual([0.5, 7, 1.5]);
  });

  it('lerp runs straight; slerp keeps the norm between points of equal norm, and both end at the endpoints', () => {
    const [a, b] = [[3, 0], [0, 3]];
    expect(lerp(a, b, 0.5)).toEqual([1.5, 1.5]);
    const middle = slerp(a, b, 0.5);
    expect(Math.hypot(...middle)).toBeCloseTo(3, 12);
    expect(middle[0]).toBeCloseTo(middle[1], 12);
    for (const f of [lerp, slerp]) {
      expect(f(a, b, 0).map((x) => +x.toFixed(12))).toEqual(a);
      expect(f(a, b, 1).map((x) => +x.toFixed(12))).toEqual(b);
    }
    expect(slerp([1, 1], [2, 2], 0.5)).toEqual([1.5, 1.5]); // parallel: the straight line
    expect(steps(5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('decodes little-endian float32 from base64', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeFloatLE(1.5, 0);
    bytes.writeFloatLE(-2.25, 4);
    expect(Array.from(float32FromBase64(bytes.toString('base64')))).toEqual([1.5, -2.25]);
  });
});
