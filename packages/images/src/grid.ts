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
 * Lays out `rows·cols` grayscale tiles of probabilities (tile-major: tile t = row·cols + col,
 * then pixel-major inside a tile, as NHWC tensors come out of tfjs) into one image.
 */
export function tileGrid(tiles: ArrayLike<number>, layout: GridLayout): Image8 {
  const { rows, cols, tileHeight, tileWidth } = layout;
  const pixelsPerTile = tileHeight * tileWidth;
  if (tiles.length !== rows * cols * pixelsPerTile) {
    throw new RangeError(`tileGrid: expected ${rows}·${cols} tiles of ${tileHeight}×${tileWidth} (${rows * cols * pixelsPerTile} values), got ${tiles.length}`);
  }
  const { width, height } = gridSize(layout);
  const data = new Uint8Array(width * height).fill(GUTTER_VALUE);
  for (let t = 0; t < rows * cols; t++) {
    const { x, y } = tileOrigin(layout, Math.floor(t / cols), t % cols);
    for (let ty = 0; ty < tileHeight; ty++) {
      for (let tx = 0; tx < tileWidth; tx++) {
        data[(y + ty) * width + x + tx] = probabilityToByte(tiles[t * pixelsPerTile + ty * tileWidth + tx]);
      }
    }
  }
  return { width, height, channels: 1, data };
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
