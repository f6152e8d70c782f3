import { createHash } from 'crypto';
import { encodeGif, encodeGrayGif } from './gif';
import type { Image8 } from './grid';
import { decodeGif } from './test-utils/gif-decode';

const gray = (width: number, height: number, data: number[]): Image8 => ({ width, height, channels: 1, data: Uint8Array.from(data) });
const rgb = (width: number, height: number, data: number[]): Image8 => ({ width, height, channels: 3, data: Uint8Array.from(data) });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('encodeGrayGif', () => {
  const frame = gray(2, 1, [0, 255]);

  it('writes a GIF89a', () => {
    expect(Buffer.from(encodeGrayGif([frame, frame]).subarray(0, 6)).toString('latin1')).toBe('GIF89a');
  });

  it('rejects no frames and RGB frames', () => {
    expect(() => encodeGrayGif([])).toThrow(/no frames/);
    expect(() => encodeGrayGif([{ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) }])).toThrow(/grayscale/);
  });

  it('writes every gray level as its own palette index, and holds the last frame four times as long', () => {
    const frames = [gray(3, 2, [0, 1, 127, 128, 254, 255]), gray(3, 2, [9, 8, 7, 6, 5, 4])];
    const decoded = decodeGif(encodeGrayGif(frames, 120));
    expect(decoded.frames.map((f) => Array.from(f.indices))).toEqual(frames.map((f) => Array.from(f.data)));
    expect(decoded.frames.map((f) => f.delayMs)).toEqual([120, 480]);
  });

  it('keeps the bytes it has always written (progress.gif of existing runs)', () => {
    // Pinned from the encoder before RGB GIFs existed: 3 frames of 7×5, delay 120 ms.
    const frame = (k: number) => gray(7, 5, Array.from({ length: 35 }, (_, i) => (i * 37 + k * 11) % 256));
    expect(sha256(encodeGrayGif([frame(0), frame(1), frame(2)], 120))).toBe('9be0bd55b1843029a40adea5c0fabe326c94509aea872cd6611fa070f280c35e');
  });
});

describe('encodeGif', () => {
  it('encodes gray frames exactly as encodeGrayGif does', () => {
    const frames = [gray(3, 1, [0, 128, 255]), gray(3, 1, [1, 2, 3])];
    expect(Buffer.from(encodeGif(frames, 70)).equals(Buffer.from(encodeGrayGif(frames, 70)))).toBe(true);
  });

  it('two RGB frames with few colours decode to their exact pixels through one global palette in 0xRRGGBB order', () => {
    const frames = [rgb(2, 2, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]), rgb(2, 2, [10, 20, 30, 10, 20, 30, 255, 0, 0, 0, 0, 0])];
    const decoded = decodeGif(encodeGif(frames, 100));
    expect([decoded.width, decoded.height, decoded.frames.length]).toEqual([2, 2, 2]);
    // Five colours, padded by the encoder to a table of 8 (black).
    expect(decoded.globalPalette?.slice(0, 5)).toEqual([[0, 0, 0], [0, 0, 255], [0, 255, 0], [10, 20, 30], [255, 0, 0]]);
    expect(decoded.frames.map((f) => f.localPalette)).toEqual([undefined, undefined]);
    expect(decoded.frames.map((f) => Array.from(f.indices))).toEqual([[4, 2, 1, 3], [3, 3, 4, 0]]);
    expect(decoded.frames.map((f) => Array.from(f.rgb))).toEqual(frames.map((f) => Array.from(f.data)));
    expect(decoded.frames.map((f) => f.delayMs)).toEqual([100, 400]);
  });

  it('a gray frame among RGB ones is drawn with R = G = B', () => {
    const decoded = decodeGif(encodeGif([gray(2, 1, [0, 200]), rgb(2, 1, [1, 2, 3, 200, 200, 200])]));
    expect(Array.from(decoded.frames[0].rgb)).toEqual([0, 0, 0, 200, 200, 200]);
    expect(Array.from(decoded.frames[1].rgb)).toEqual([1, 2, 3, 200, 200, 200]);
  });

  it('more than 256 colours: one quantized palette of at most 256, close to every pixel, the same bytes every time', () => {
    // Two 32×32 frames of smooth gradients: 2,048 distinct colours.
    const frame = (k: number) => rgb(32, 32, Array.from({ length: 32 * 32 }, (_, i) => [(i % 32) * 8, Math.floor(i / 32) * 8, k * 100 + ((i * 7) % 50)]).flat());
    const frames = [frame(0), frame(1)];
    const bytes = encodeGif(frames);
    expect(Buffer.from(encodeGif([frame(0), frame(1)])).equals(Buffer.from(bytes))).toBe(true);
    const decoded = decodeGif(bytes);
    expect(decoded.frames.map((f) => f.localPalette)).toEqual([undefined, undefined]);
    const used = new Set(decoded.frames.flatMap((f) => Array.from(f.indices)));
    expect(used.size).toBeGreaterThan(128);
    expect(used.size).toBeLessThanOrEqual(256);
    const errors = frames.flatMap((f, k) => Array.from(f.data, (v, i) => Math.abs(v - decoded.frames[k].rgb[i])));
    // Measured: max 25, mean 7.2 (8× fewer colours than the frames use); the frames swapped would be 38 on average.
    expect(Math.max(...errors)).toBeLessThanOrEqual(32);
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(8);
  });

  it('rejects no frames and frames of different sizes, naming them', () => {
    expect(() => encodeGif([])).toThrow('encodeGif: no frames');
    expect(() => encodeGif([rgb(1, 1, [1, 2, 3]), rgb(2, 1, [1, 2, 3, 4, 5, 6])])).toThrow('encodeGif: frame 1 is 2×1, frame 0 is 1×1 (every frame must have one size)');
  });
});
