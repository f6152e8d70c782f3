import type { Image8 } from './grid';

type Palette = number[][];
type PaletteFormat = 'rgb565' | 'rgb444';

/** The slice of gifenc 1.0.3's API we use; the package ships no types, and a require keeps any .d.ts shim out of our consumers' builds. */
interface GifEncoder {
  writeFrame(index: Uint8Array, width: number, height: number, opts: { palette?: Palette; delay?: number; repeat?: number }): void;
  finish(): void;
  bytes(): Uint8Array;
}
const { GIFEncoder, quantize, applyPalette } = require('gifenc') as {
  GIFEncoder: () => GifEncoder;
  quantize: (rgba: Uint8Array, maxColors: number, options: { format: PaletteFormat }) => Palette;
  applyPalette: (rgba: Uint8Array, palette: Palette, format: PaletteFormat) => Uint8Array;
};

const GRAY_PALETTE: Palette = Array.from({ length: 256 }, (_, v) => [v, v, v]);
const MAX_COLORS = 256;

/** Animated GIF, one frame per image; a 256-level gray palette makes pixel bytes the palette indices, so no quantization. */
export function encodeGrayGif(frames: Image8[], frameDelayMs = 500): Uint8Array {
  if (frames.length === 0) throw new Error('encodeGrayGif: no frames');
  if (frames.some((frame) => frame.channels !== 1)) throw new Error('encodeGrayGif: frames must be grayscale (1 channel)');
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    // Hold the final frame longer so the end state is visible before the loop restarts.
    gif.writeFrame(frame.data, frame.width, frame.height, { palette: GRAY_PALETTE, delay: frameDelay(frames, i, frameDelayMs), repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}

/**
 * Animated GIF of gray or RGB frames of one size. All gray: exactly encodeGrayGif's bytes. Otherwise one palette
 * for all frames (the global colour table; gray frames count as R = G = B), chosen from the frames alone, so the
 * same frames always give the same bytes:
 * - at most 256 distinct colours over all frames: those colours, in ascending 0xRRGGBB order — lossless;
 * - more: gifenc's quantize (pairwise nearest neighbour, no randomness) to 256 colours over all frames' pixels
 *   together, binned rgb444 (4096 bins: ~70 ms for 30 frames of 329×329, where rgb565's 65536 bins take ~2 s), and
 *   each pixel mapped to its nearest palette colour through applyPalette's finer rgb565 cache.
 */
export function encodeGif(frames: Image8[], frameDelayMs = 500): Uint8Array {
  assertOneSize(frames);
  if (frames.every((frame) => frame.channels === 1)) return encodeGrayGif(frames, frameDelayMs);
  const rgbaFrames = frames.map(opaqueRgba);
  const { palette, indexFrames } = exactPalette(rgbaFrames) ?? quantizedPalette(rgbaFrames);
  const gif = GIFEncoder();
  indexFrames.forEach((index, i) => {
    // The palette goes with the first frame only: gifenc writes it as the global table, which later frames use.
    const palettes = i === 0 ? { palette } : {};
    gif.writeFrame(index, frames[i].width, frames[i].height, { ...palettes, delay: frameDelay(frames, i, frameDelayMs), repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}

/** Hold the final frame longer so the end state is visible before the loop restarts. */
function frameDelay(frames: Image8[], i: number, frameDelayMs: number): number {
  return i === frames.length - 1 ? frameDelayMs * 4 : frameDelayMs;
}

function assertOneSize(frames: Image8[]): void {
  if (frames.length === 0) throw new Error('encodeGif: no frames');
  const [first] = frames;
  frames.forEach((frame, i) => {
    if (frame.width !== first.width || frame.height !== first.height) {
      throw new RangeError(`encodeGif: frame ${i} is ${frame.width}×${frame.height}, frame 0 is ${first.width}×${first.height} (every frame must have one size)`);
    }
  });
}

/** A fresh RGBA buffer (gifenc reads `rgba.buffer` whole, ignoring any offset into it). */
function opaqueRgba(frame: Image8): Uint8Array {
  const pixels = frame.width * frame.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const src = i * frame.channels;
    const step = frame.channels === 1 ? 0 : 1; // gray: R, G and B all read the one byte
    rgba[4 * i] = frame.data[src];
    rgba[4 * i + 1] = frame.data[src + step];
    rgba[4 * i + 2] = frame.data[src + 2 * step];
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

interface IndexedFrames {
  palette: Palette;
  indexFrames: Uint8Array[];
}

/** Every colour the frames use, when there are at most 256 of them; undefined otherwise. */
function exactPalette(rgbaFrames: Uint8Array[]): IndexedFrames | undefined {
  const colors = new Set<number>();
  for (const rgba of rgbaFrames) {
    for (let i = 0; i < rgba.length; i += 4) {
      colors.add((rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2]);
      if (colors.size > MAX_COLORS) return undefined;
    }
  }
  const sorted = [...colors].sort((a, b) => a - b);
  const indexOf = new Map(sorted.map((color, index) => [color, index]));
  const indexFrames = rgbaFrames.map((rgba) => {
    const index = new Uint8Array(rgba.length / 4);
    for (let i = 0; i < index.length; i++) index[i] = indexOf.get((rgba[4 * i] << 16) | (rgba[4 * i + 1] << 8) | rgba[4 * i + 2]) ?? 0;
    return index;
  });
  return { palette: sorted.map((color) => [color >> 16, (color >> 8) & 255, color & 255]), indexFrames };
}

function quantizedPalette(rgbaFrames: Uint8Array[]): IndexedFrames {
  const all = new Uint8Array(rgbaFrames.reduce((sum, rgba) => sum + rgba.length, 0));
  let offset = 0;
  for (const rgba of rgbaFrames) {
    all.set(rgba, offset);
    offset += rgba.length;
  }
  const palette = quantize(all, MAX_COLORS, { format: 'rgb444' });
  return { palette, indexFrames: rgbaFrames.map((rgba) => applyPalette(rgba, palette, 'rgb565')) };
}
