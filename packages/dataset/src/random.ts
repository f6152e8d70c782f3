/**
 * Seeded pseudo-random numbers that are identical on every machine, backend and tfjs version.
 *
 * Algorithm (documented so other implementations can reproduce the draws):
 * - uniform 32-bit integers: mulberry32 over a 32-bit state initialised to `seed >>> 0`;
 * - uniform floats in [0, 1): the integer divided by 2^32;
 * - standard normals: Box–Muller on two consecutive uniforms u1, u2 (u1 replaced by 2^-32 when 0):
 *   sqrt(-2 ln u1) · cos(2π u2); the sine half is not used, so every normal costs exactly two uniforms.
 * - shuffles: Fisher–Yates from the last index down, j = floor(uniform · (i + 1)).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Next uniform 32-bit unsigned integer (mulberry32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal draw (Box–Muller, cosine half). */
  normal(): number {
    const u1 = this.uniform() || 2 ** -32;
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** `count` standard normals as float32. */
  normals(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal();
    return out;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * Derives an independent 31-bit seed from a base seed and a label (e.g. "shuffle", "eps", "init"),
 * so one user-facing seed can feed several streams without them being correlated.
 */
export function deriveSeed(baseSeed: number, label: string): number {
  let h = (baseSeed >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return new SeededRandom(h).nextUint32() >>> 1;
}
