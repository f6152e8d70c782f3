import { encodeGrayGif } from './gif';

describe('encodeGrayGif', () => {
  const frame = { width: 2, height: 1, channels: 1 as const, data: Uint8Array.of(0, 255) };

  it('writes a GIF89a', () => {
    expect(Buffer.from(encodeGrayGif([frame, frame]).subarray(0, 6)).toString('latin1')).toBe('GIF89a');
  });

  it('rejects no frames and RGB frames', () => {
    expect(() => encodeGrayGif([])).toThrow(/no frames/);
    expect(() => encodeGrayGif([{ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) }])).toThrow(/grayscale/);
  });
});
