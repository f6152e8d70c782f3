import { SeededRandom } from '@cvae/dataset';
import { dimsPlane, pointOnPlane, principalPlane, projectAllOntoPlane, projectOntoPlane } from './latent-plane';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, i) => sum + x * b[i], 0);

describe('latent planes', () => {
  it('dimsPlane: the two coordinate axes; refuses a repeated or missing dimension in one line', () => {
    const plane = dimsPlane(4, 2, 0);
    expect(plane.u).toEqual([0, 0, 1, 0]);
    expect(plane.v).toEqual([1, 0, 0, 0]);
    expect(projectOntoPlane(plane, [5, 6, 7, 8])).toEqual([7, 5]);
    expect(() => dimsPlane(4, 1, 1)).toThrow('a plane needs two different dimensions, got 1 twice');
    expect(() => dimsPlane(4, 0, 4)).toThrow('latent dimension 4 is outside 0…3');
  });

  it('principalPlane finds the two directions of largest variance, orthonormal, with a fixed sign', () => {
    // 2,000 points in 6-D: spread 3 along a, 1 along b, 0.05 of noise everywhere.
    const d = 6;
    const a = [1, 1, 0, 0, 0, 0].map((x) => x / Math.SQRT2);
    const b = [0, 0, 0, -1, 0, 0];
    const random = new SeededRandom(11);
    const points = new Float32Array(2000 * d);
    for (let row = 0; row < 2000; row++) {
      const [s, t] = [3 * random.normal(), random.normal()];
      for (let k = 0; k < d; k++) points[row * d + k] = 0.5 + s * a[k] + t * b[k] + 0.05 * random.normal();
    }
    const plane = principalPlane(points, d);
    expect(Math.abs(dot(plane.u, a))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(plane.v, b))).toBeGreaterThan(0.999);
    expect(dot(plane.u, plane.u)).toBeCloseTo(1, 10);
    expect(dot(plane.v, plane.v)).toBeCloseTo(1, 10);
    expect(dot(plane.u, plane.v)).toBeCloseTo(0, 10);
    // Largest-magnitude component positive: v is +e3, not the −e3 the data was built with.
    expect(plane.v[3]).toBeGreaterThan(0.99);
    const [first, second] = plane.explained ?? [0, 0];
    expect(first).toBeCloseTo(9 / (9 + 1 + 6 * 0.0025), 1);
    expect(second).toBeGreaterThan(0.05);
    expect(first + second).toBeLessThanOrEqual(1);
    // The same points with their rows in another order give the same plane.
    const reversed = new Float32Array(points.length);
    for (let row = 0; row < 2000; row++) reversed.set(points.subarray(row * d, (row + 1) * d), (1999 - row) * d);
    expect(principalPlane(reversed, d).u.map((x) => x.toFixed(6))).toEqual(plane.u.map((x) => x.toFixed(6)));
  });

  it('pointOnPlane sets the plane coordinates and keeps everything else from the held point', () => {
    const plane = principalPlane(Float32Array.from([1, 2, 0, 3, -1, 1, 0, 0, 2, -2, 1, 0, 1, 1, 1, 0.5, 0.5, -3]), 3);
    const hold = [0.3, -1.2, 2.5];
    const z = pointOnPlane(plane, 1.5, -0.75, hold);
    const [a, b] = projectOntoPlane(plane, z);
    expect(a).toBeCloseTo(1.5, 5);
    expect(b).toBeCloseTo(-0.75, 5);
    const outside = (p: ArrayLike<number>) => { const [pa, pb] = projectOntoPlane(plane, p); return Array.from(p, (x, k) => x - pa * plane.u[k] - pb * plane.v[k]); };
    outside(z).forEach((x, k) => expect(x).toBeCloseTo(outside(hold)[k], 5));
    expect(Array.from(pointOnPlane(dimsPlane(3, 0, 2), 1, 2))).toEqual([1, 0, 2]); // default hold: the origin
  });

  it('projectAllOntoPlane projects every row', () => {
    expect(Array.from(projectAllOntoPlane(dimsPlane(3, 1, 2), Float32Array.from([1, 2, 3, 4, 5, 6])))).toEqual([2, 3, 5, 6]);
  });
});
