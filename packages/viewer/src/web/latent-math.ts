/**
 * The explorer's vector math, in the browser (no tfjs): a plane spanned by two unit directions u, v
 * through the origin, as @cvae/model's latent-plane defines it (the server sends the principal one), and
 * the two interpolations between test images. The e2e tests check the browser's decodes against Node's.
 */
export interface Plane {
  u: number[];
  v: number[];
}

/** The plane of latent dimensions i (across) and j (up). */
export function dimsPlane(latentDim: number, i: number, j: number): Plane {
  const axis = (d: number) => Array.from({ length: latentDim }, (_, k) => (k === d ? 1 : 0));
  return { u: axis(i), v: axis(j) };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
}

/** (⟨z, u⟩, ⟨z, v⟩). */
export function project(plane: Plane, z: ArrayLike<number>): [number, number] {
  return [dot(plane.u, z), dot(plane.v, z)];
}

/** z = hold + (a − ⟨hold, u⟩)·u + (b − ⟨hold, v⟩)·v: plane coordinates (a, b), everything else from `hold`. */
export function pointOnPlane(plane: Plane, a: number, b: number, hold: ArrayLike<number>): number[] {
  const [ha, hb] = project(plane, hold);
  return Array.from(hold, (x, k) => x + (a - ha) * plane.u[k] + (b - hb) * plane.v[k]);
}

export function lerp(a: readonly number[], b: readonly number[], t: number): number[] {
  return a.map((x, k) => (1 - t) * x + t * b[k]);
}

/**
 * Spherical interpolation (White, "Sampling generative networks", 2016): along the great circle between
 * the directions of a and b, so intermediate points keep a typical norm under the Gaussian prior instead of
 * shrinking towards the origin as the straight line does. Falls back to lerp for (anti)parallel points.
 */
export function slerp(a: readonly number[], b: readonly number[], t: number): number[] {
  const norms = Math.hypot(...a) * Math.hypot(...b);
  const cosine = norms === 0 ? 1 : Math.min(1, Math.max(-1, dot(a, b) / norms));
  const omega = Math.acos(cosine);
  const sine = Math.sin(omega);
  if (sine < 1e-6) return lerp(a, b, t);
  const [wa, wb] = [Math.sin((1 - t) * omega) / sine, Math.sin(t * omega) / sine];
  return a.map((x, k) => wa * x + wb * b[k]);
}

/** `count` evenly spaced t from 0 to 1, both ends included. */
export function steps(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i / (count - 1));
}

/** Bytes of a base64 string (the server's binary arrays). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Little-endian float32 values from base64 (the means). */
export function float32FromBase64(text: string): Float32Array {
  const bytes = fromBase64(text);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
