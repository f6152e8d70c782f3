/**
 * A small GIF89a reader for the tests (node_modules has no GIF decoder): the header, the global and local colour
 * tables, each frame's delay and its LZW-coded palette indices. No interlacing, no transparency: what gifenc writes.
 */
export interface DecodedGifFrame {
  delayMs: number;
  /** The frame's own colour table, when it has one (else it uses the global one). */
  localPalette?: number[][];
  indices: Uint8Array;
  /** The pixels through the palette in use: width·height·3 bytes. */
  rgb: Uint8Array;
}

export interface DecodedGif {
  width: number;
  height: number;
  globalPalette?: number[][];
  frames: DecodedGifFrame[];
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
  const reader = new ByteReader(bytes);
  const signature = String.fromCharCode(...reader.take(6));
  if (signature !== 'GIF89a') throw new Error(`not a GIF89a: ${JSON.stringify(signature)}`);
  const width = reader.uint16();
  const height = reader.uint16();
  const fields = reader.byte();
  reader.take(2); // background colour index, pixel aspect ratio
  const globalPalette = fields & 0x80 ? readPalette(reader, fields & 7) : undefined;
  const frames: DecodedGifFrame[] = [];
  let delayMs = 0;
  for (;;) {
    const block = reader.byte();
    if (block === 0x3b) return { width, height, globalPalette, frames };
    if (block === 0x21) {
      const label = reader.byte();
      const data = readSubBlocks(reader);
      if (label === 0xf9) delayMs = (data[1] | (data[2] << 8)) * 10;
    } else if (block === 0x2c) {
      frames.push(readFrame(reader, delayMs, globalPalette));
    } else {
      throw new Error(`unexpected GIF block 0x${block.toString(16)}`);
    }
  }
}

function readFrame(reader: ByteReader, delayMs: number, globalPalette: number[][] | undefined): DecodedGifFrame {
  reader.take(4); // left, top
  const width = reader.uint16();
  const height = reader.uint16();
  const fields = reader.byte();
  if (fields & 0x40) throw new Error('interlaced frames are not supported');
  const localPalette = fields & 0x80 ? readPalette(reader, fields & 7) : undefined;
  const minCodeSize = reader.byte();
  const indices = lzwDecode(minCodeSize, readSubBlocks(reader), width * height);
  const palette = localPalette ?? globalPalette;
  if (palette === undefined) throw new Error('frame without a colour table');
  const rgb = new Uint8Array(indices.length * 3);
  indices.forEach((index, i) => rgb.set(palette[index], 3 * i));
  return { delayMs, localPalette, indices, rgb };
}

function readPalette(reader: ByteReader, sizeField: number): number[][] {
  return Array.from({ length: 2 << sizeField }, () => Array.from(reader.take(3)));
}

function readSubBlocks(reader: ByteReader): Uint8Array {
  const parts: number[] = [];
  for (let size = reader.byte(); size !== 0; size = reader.byte()) parts.push(...reader.take(size));
  return Uint8Array.from(parts);
}

/** Variable-width LZW as GIF uses it: codes packed least significant bit first, clear and end codes, at most 12 bits. */
function lzwDecode(minCodeSize: number, data: Uint8Array, pixels: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out: number[] = [];
  let table: number[][] = [];
  let codeSize = 0;
  let previous: number[] | undefined;
  const reset = () => {
    table = Array.from({ length: clear + 2 }, (_, i) => [i]);
    codeSize = minCodeSize + 1;
    previous = undefined;
  };
  reset();
  let bit = 0;
  while (bit + codeSize <= data.length * 8) {
    let code = 0;
    for (let k = 0; k < codeSize; k++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << k;
    if (code === clear) {
      reset();
      continue;
    }
    if (code === end) break;
    const entry = code < table.length ? table[code] : previous && code === table.length ? [...previous, previous[0]] : undefined;
    if (entry === undefined) throw new Error(`LZW code ${code} not in the table (${table.length} entries)`);
    out.push(...entry);
    if (previous && table.length < 4096) table.push([...previous, entry[0]]);
    previous = entry;
    if (table.length === 1 << codeSize && codeSize < 12) codeSize++;
  }
  if (out.length !== pixels) throw new Error(`LZW data holds ${out.length} pixels, the frame ${pixels}`);
  return Uint8Array.from(out);
}

class ByteReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('GIF ends early');
    return this.bytes[this.offset++];
  }

  uint16(): number {
    return this.byte() | (this.byte() << 8);
  }

  take(count: number): Uint8Array {
    if (this.offset + count > this.bytes.length) throw new Error('GIF ends early');
    this.offset += count;
    return this.bytes.subarray(this.offset - count, this.offset);
  }
}
