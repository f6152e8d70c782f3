import type { Image8 } from './grid';

/** The slice of gifenc 1.0.3's API we use; the package ships no types, and a require keeps any .d.ts shim out of our consumers' builds. */
interface GifEncoder {
  writeFrame(index: Uint8Array, width: number, height: number, opts: { palette?: number[][]; delay?: number; repeat?: number }): void;
  finish(): void;
  bytes(): Uint8Array;
}
const { GIFEncoder } = require('gifenc') as { GIFEncoder: () => GifEncoder };

const GRAY_PALETTE: number[][] = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/** Animated GIF, one frame per image; a 256-level gray palette makes pixel bytes the palette indices, so no quantization. */
export function encodeGrayGif(frames: Image8[], frameDelayMs = 500): Uint8Array {
  if (frames.length === 0) throw new Error('encodeGrayGif: no frames');
  if (frames.some((frame) => frame.channels !== 1)) throw new Error('encodeGrayGif: frames must be grayscale (1 channel)');
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    const lastFrame = i === frames.length - 1;
    // Hold the final frame longer so the end state is visible before the loop restarts.
    gif.writeFrame(frame.data, frame.width, frame.height, { palette: GRAY_PALETTE, delay: lastFrame ? frameDelayMs * 4 : frameDelayMs, repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}
