/** An 8-bit image: `channels` 1 (grayscale) or 3 (RGB), row-major, `height·width·channels` bytes. */
export interface Image8 {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * Gutter value between tiles: mid-gray 128. MNIST tiles are white ink (255) on black (0), so a
 * gray line stays visible against both and never reads as ink or background.
 */
export const GUTTER_VALUE = 128;
/** Gutter width in pixels between neighbouring tiles (none around the outside). */
export const GUTTER = 1;

/** Probability in [0, 1] → byte: round(p·255), clamped (sigmoid output can be 1 + ε in float32). */
export function probabilityToByte(p: number): number {
  return Math.round(Math.min(1, Math.max(0, p)) * 255);
}

export interface GridLayout {
  rows: number;
  cols: number;
  tileHeight: number;
  tileWidth: number;
  /** Channels per pixel of the tiles and the grid: 1 (gray, the default) or 3 (RGB). */
  channels?: 1 | 3;
}

/** Width and height of a tile grid with 1-pixel gutters between tiles. */
export function gridSize({ rows, cols, tileHeight, tileWidth }: GridLayout): { width: number; height: number } {
  return { width: cols * tileWidth + (cols - 1) * GUTTER, height: rows * tileHeight + (rows - 1) * GUTTER };
}

/** Top-left pixel of tile (row, col). */
export function tileOrigin(layout: GridLayout, row: number, col: number): { x: number; y: number } {
  return { x: col * (layout.tileWidth + GUTTER), y: row * (layout.tileHeight + GUTTER) };
}

/**
 * Lays out `rows·cols` tiles of probabilities into one image. `tiles` is tile-major (tile t = row·cols + col),
 * then row, column and channel inside a tile: the order of a tfjs [N, H, W, C] tensor's dataSync(). Gutters are
 * GUTTER_VALUE in every channel.
 */
export function tileGrid(tiles: ArrayLike<number>, layout: GridLayout): Image8 {
  const { rows, cols, tileHeight, tileWidth } = layout;
  const channels = layoutChannels(layout);
  const valuesPerTile = tileHeight * tileWidth * channels;
  if (tiles.length !== rows * cols * valuesPerTile) {
    const shape = channels === 1 ? `${tileHeight}×${tileWidth}` : `${tileHeight}×${tileWidth}×${channels}`;
    throw new RangeError(`tileGrid: expected ${rows}·${cols} tiles of ${shape} (${rows * cols * valuesPerTile} values), got ${tiles.length}`);
  }
  const { width, height } = gridSize(layout);
  const data = new Uint8Array(width * height * channels).fill(GUTTER_VALUE);
  const rowValues = tileWidth * channels; // one tile row is contiguous in both the tiles and the grid
  for (let t = 0; t < rows * cols; t++) {
    const { x, y } = tileOrigin(layout, Math.floor(t / cols), t % cols);
    for (let ty = 0; ty < tileHeight; ty++) {
      const source = t * valuesPerTile + ty * rowValues;
      const target = ((y + ty) * width + x) * channels;
      for (let i = 0; i < rowValues; i++) data[target + i] = probabilityToByte(tiles[source + i]);
    }
  }
  return { width, height, channels, data };
}

function layoutChannels(layout: GridLayout): 1 | 3 {
  const channels = layout.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new RangeError(`tileGrid: channels must be 1 (gray) or 3 (RGB), got ${String(channels)}`);
  return channels;
}

/** Expands to RGBA (opaque), the layout pixelmatch and pngjs's decoder use. */
export function toRgba(image: Image8): Uint8Array {
  const pixels = image.width * image.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const src = i * image.channels;
    rgba[4 * i] = image.data[src];
    rgba[4 * i + 1] = image.data[image.channels === 1 ? src : src + 1];
    rgba[4 * i + 2] = image.data[image.channels === 1 ? src : src + 2];
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}
