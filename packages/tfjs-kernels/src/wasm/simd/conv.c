/*
 * cvae's wasm SIMD convolution kernels: NHWC float32, any stride, explicit padding, dilation 1.
 *
 * Compiled to conv.wasm (see build.sh) and instantiated on tfjs-backend-wasm's own memory,
 * so every pointer below is a byte offset into the tensors' heap: no copies in or out.
 * Rules that make sharing that memory safe: no static data, no calls, no shadow stack
 * (build.sh checks the module uses neither a data segment nor __stack_pointer), and every
 * scratch byte comes from the caller (a tfjs tensor it frees afterwards).
 *
 * One register tile serves all three directions: 4 output rows x 8 output channels, the
 * reduction running over (tap, channel) with one splat load per row and two vector loads
 * of packed weights per step. 11 of V8's 16 xmm registers; no FMA in wasm SIMD-128, so
 * mul + add (Zen 4 issues two of each per cycle).
 *
 *   forward     y[b,oy,ox,co]   = sum x[b, oy*sy+ky-pt, ox*sx+kx-pl, c] * w[ky,kx,c,co]
 *   input grad  dx[b,iy,ix,c]   = sum dy[b,oy,ox,co] * w[ky,kx,c,co]  over iy = oy*sy+ky-pt, ix = ...
 *   filter grad dw[ky,kx,c,co]  = sum x[b, oy*sy+ky-pt, ox*sx+kx-pl, c] * dy[b,oy,ox,co]
 */
#include <wasm_simd128.h>

typedef float f32;
#define EXPORT __attribute__((visibility("default")))

/* acc + a*b: one fused relaxed-SIMD instruction in the CVAE_FMA build (conv-fma.wasm), mul + add otherwise. */
#ifdef CVAE_FMA
#define MADD(acc, a, b) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(acc)))
#else
#define MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

/* acc[r] += p_r[k] * b[k][0..8] for k in [0, K); bp walks a packed [K][8] panel. */
static inline void tile_step(const f32 *p0, const f32 *p1, const f32 *p2, const f32 *p3,
                             const f32 *bp, int K, v128_t *acc) {
  v128_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
  v128_t a20 = acc[4], a21 = acc[5], a30 = acc[6], a31 = acc[7];
  for (int k = 0; k < K; k++, bp += 8) {
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t v = wasm_v128_load32_splat(p0 + k);
    a00 = MADD(a00, v, b0);
    a01 = MADD(a01, v, b1);
    v = wasm_v128_load32_splat(p1 + k);
    a10 = MADD(a10, v, b0);
    a11 = MADD(a11, v, b1);
    v = wasm_v128_load32_splat(p2 + k);
    a20 = MADD(a20, v, b0);
    a21 = MADD(a21, v, b1);
    v = wasm_v128_load32_splat(p3 + k);
    a30 = MADD(a30, v, b0);
    a31 = MADD(a31, v, b1);
  }
  acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
  acc[4] = a20; acc[5] = a21; acc[6] = a30; acc[7] = a31;
}

/* Activations of the fused epilogues (a conv layer's bias and activation applied as its tile is stored). */
#define ACT_LINEAR 0
#define ACT_RELU 1

/* y < 0 ? 0 : y, lane-wise: tfjs's Relu (NaN stays NaN); one maxps. */
static inline v128_t relu4(v128_t v) { return wasm_f32x4_pmax(v, wasm_f32x4_splat(0.f)); }

/*
 * The fused epilogue of a tile: with a bias (8 channels from bias8; NULL for none) it is added first,
 * then the activation: the same float operations as tfjs's separate Add and Relu kernels, so the
 * fused result is bit-identical to the unfused one.
 */
static inline void tile_epilogue(v128_t *acc, const f32 *bias8, int act) {
  if (bias8) {
    const v128_t b0 = wasm_v128_load(bias8), b1 = wasm_v128_load(bias8 + 4);
    for (int r = 0; r < 4; r++) {
      acc[2 * r] = wasm_f32x4_add(acc[2 * r], b0);
      acc[2 * r + 1] = wasm_f32x4_add(acc[2 * r + 1], b1);
    }
  }
  if (act == ACT_RELU)
    for (int i = 0; i < 8; i++) acc[i] = relu4(acc[i]);
}

/* Stores the first `rows` rows of a tile after its epilogue; row r goes to out + r*step. */
static inline void tile_store(f32 *out, int step, int rows, v128_t *acc, const f32 *bias8, int act) {
  tile_epilogue(acc, bias8, act);
  for (int r = 0; r < 4 && r < rows; r++) {
    wasm_v128_store(out + r * step, acc[2 * r]);
    wasm_v128_store(out + r * step + 4, acc[2 * r + 1]);
  }
}

static void fill_zero(f32 *p, int n) {
  for (int i = 0; i < n; i++) p[i] = 0.f;
}

/* Row pointer of input pixel ix in a row, or the zero row when ix is padding (or past the tile). */
static inline const f32 *pixel_or_zero(const f32 *row, int ix, int width, int channels, int inTile, const f32 *zeros) {
  return (inTile && ix >= 0 && ix < width) ? row + ix * channels : zeros;
}

/* ---------------------------------------------------------------- forward ---------- */

/* acc = 0 for a fresh tile. */
#define TILE_ZERO(acc) \
  do { for (int i_ = 0; i_ < 8; i_++) (acc)[i_] = wasm_f32x4_splat(0.f); } while (0)

/* Below this many input channels a tap is too short a reduction: gather the tile's patches first. */
#define GATHER_BELOW_CHANNELS 8

/* packed[nb][k][j] = w[k][nb*8 + j]: the filter as [K][CO] cut into 8-column panels. */
static void pack_columns(const f32 *w, int K, int CO, f32 *packed) {
  for (int nb = 0; nb < CO / 8; nb++)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < 8; j++) packed[(nb * K + k) * 8 + j] = w[k * CO + nb * 8 + j];
}

/* Size of a zero-bordered copy of one image: `pad` pixels before, room for `need` after the offset. */
static inline int padded_extent(int size, int pad, int need) {
  return pad + size > need ? pad + size : need;
}

/*
 * Image b of x[B,H,W,C] with a zero border: pixel (iy, ix) lands at ((iy + pt) * PW + ix + pl) * C
 * of padded[PH][PW][C]. Kernels then read any tap of any pixel without bounds checks; a tap on the
 * border adds w * 0 = 0, which leaves every sum as it was.
 */
static void pad_image(const f32 *x, int b, int H, int W, int C, int pt, int pl, int PH, int PW, f32 *padded) {
  for (int py = 0; py < PH; py++) {
    f32 *row = padded + py * PW * C;
    const int iy = py - pt;
    if (iy < 0 || iy >= H) {
      fill_zero(row, PW * C);
      continue;
    }
    fill_zero(row, pl * C);
    const f32 *src = x + (b * H + iy) * W * C;
    for (int i = 0; i < W * C; i++) row[pl * C + i] = src[i];
    fill_zero(row + (pl + W) * C, (PW - pl - W) * C);
  }
}

/* Padded geometry of the forward conv's input: every tap of every output pixel is inside. */
static inline int fwd_pad_rows(int H, int pt, int OH, int sy, int KH) { return padded_extent(H, pt, (OH - 1) * sy + KH); }
static inline int fwd_pad_cols(int W, int pl, int OW, int sx, int KW) { return padded_extent(W, pl, (OW - 1) * sx + KW); }

/*
 * The first input pixel (tap 0) of each of the 4 output pixels from (oy, ox) on, in raster order (a tile
 * may wrap to the next row), and (oy, ox) advanced to the next tile; pixels past the image repeat the
 * last one (computed, never stored). No division: this runs once per tile.
 */
static inline void tile_bases(const f32 *padded, int PW, int C, int sy, int sx, int OW, int left, int *oy, int *ox, const f32 **base) {
  for (int r = 0; r < 4; r++) {
    base[r] = padded + (*oy * sy * PW + *ox * sx) * C;
    if (r + 1 < left && ++*ox == OW) *ox = 0, ++*oy;
  }
}

/* The 4 patches of a tile as rows of K = KH*KW*C: KH runs of KW*C floats each from the padded image. */
static void gather_patches(const f32 *const *base, int PW, int C, int KH, int KW, f32 *patch) {
  const int run = KW * C;
  for (int r = 0; r < 4; r++)
    for (int ky = 0; ky < KH; ky++, patch += run) {
      const f32 *src = base[r] + ky * PW * C;
      for (int i = 0; i < run; i++) patch[i] = src[i];
    }
}

/* acc = the tile's 8 output channels of panel, tap by tap (one reduction of C per tap), C >= GATHER_BELOW_CHANNELS. */
static inline void conv_tile_taps(const f32 *const *base, int PW, int C, int KH, int KW, const f32 *panel, v128_t *acc) {
  for (int ky = 0; ky < KH; ky++)
    for (int kx = 0; kx < KW; kx++, panel += C * 8) {
      const int off = (ky * PW + kx) * C;
      tile_step(base[0] + off, base[1] + off, base[2] + off, base[3] + off, panel, C, acc);
    }
}

/* Floats of scratch cvae_conv2d needs: the packed filter, the padded image, and 4 gathered patches (C < 8). */
EXPORT int cvae_conv2d_scratch(int H, int W, int C, int KH, int KW, int CO, int sy, int sx, int pt, int pl, int OH, int OW) {
  const int K = KH * KW * C;
  return K * CO + 4 * K + fwd_pad_rows(H, pt, OH, sy, KH) * fwd_pad_cols(W, pl, OW, sx, KW) * C;
}

/*
 * y[B,OH,OW,CO] = act(conv(x[B,H,W,C], w[KH,KW,C,CO]) + bias[CO]). Needs CO % 8 == 0.
 * bias: NULL for none; act: ACT_LINEAR or ACT_RELU. scratch: cvae_conv2d_scratch floats.
 * Each image is copied with a zero border, then tiles of 4 output pixels in raster order (no partial
 * tiles at row ends) x 8 channels reduce over the taps in place, or over gathered patches below 8
 * input channels.
 */
EXPORT void cvae_conv2d(const f32 *x, int B, int H, int W, int C,
                        const f32 *w, int KH, int KW, int CO,
                        int sy, int sx, int pt, int pl, int OH, int OW,
                        f32 *y, f32 *scratch, const f32 *bias, int act) {
  const int K = KH * KW * C, gather = C < GATHER_BELOW_CHANNELS, pixels = OH * OW;
  const int PH = fwd_pad_rows(H, pt, OH, sy, KH), PW = fwd_pad_cols(W, pl, OW, sx, KW);
  f32 *packed = scratch, *patches = scratch + K * CO, *padded = patches + 4 * K;
  pack_columns(w, K, CO, packed);
  for (int b = 0; b < B; b++) {
    pad_image(x, b, H, W, C, pt, pl, PH, PW, padded);
    f32 *yb = y + b * pixels * CO;
    for (int p = 0, oy = 0, ox = 0; p < pixels; p += 4) {
      const f32 *base[4];
      tile_bases(padded, PW, C, sy, sx, OW, pixels - p, &oy, &ox, base);
      if (gather) gather_patches(base, PW, C, KH, KW, patches);
      for (int nb = 0; nb < CO / 8; nb++) {
        v128_t acc[8];
        TILE_ZERO(acc);
        const f32 *panel = packed + nb * K * 8;
        if (gather) tile_step(patches, patches + K, patches + 2 * K, patches + 3 * K, panel, K, acc);
        else conv_tile_taps(base, PW, C, KH, KW, panel, acc);
        tile_store(yb + p * CO + nb * 8, CO, pixels - p, acc, bias ? bias + nb * 8 : 0, act);
      }
    }
  }
}

/* ------------------------------------------------------------- input grad ---------- */

/* First index i >= 0 with (start + i) divisible by s, i.e. the first tap of this phase. */
static inline int first_tap(int start, int s) {
  int r = start % s;
  if (r < 0) r += s;
  return r;
}

/* Non-negative a mod s. */
static inline int mod_positive(int a, int s) {
  const int r = a % s;
  return r < 0 ? r + s : r;
}

/* Padding of dy for the input gradient: a tap m phase-steps back reads m rows above, up to ceil(KH/sy) - 1. */
static inline int bpi_pad_before(int K, int s) { return (K + s - 1) / s - 1; }
/* Rows (or columns) of the padded dy: the padding, then dy or the furthest row a pixel's first tap reads. */
static inline int bpi_pad_extent(int OH, int H, int K, int s, int pt) {
  const int reach = (H - 1 + pt) / s + 1;
  return bpi_pad_before(K, s) + (reach > OH ? reach : OH);
}

/* Floats of scratch cvae_conv2d_backprop_input needs: the packed filter, then the padded dy of one image. */
EXPORT int cvae_conv2d_backprop_input_scratch(int OH, int OW, int CO, int KH, int KW, int C, int sy, int sx, int pt, int pl, int H, int W) {
  return KH * KW * C * CO + bpi_pad_extent(OH, H, KH, sy, pt) * bpi_pad_extent(OW, W, KW, sx, pl) * CO;
}

/* tile_store for 4 pixels anywhere: row r to out[r], the first `rows` of them. */
static inline void tile_store4(f32 *const *out, int rows, v128_t *acc, const f32 *bias8, int act) {
  tile_epilogue(acc, bias8, act);
  for (int r = 0; r < 4 && r < rows; r++) {
    wasm_v128_store(out[r], acc[2 * r]);
    wasm_v128_store(out[r] + 4, acc[2 * r + 1]);
  }
}

/*
 * dx[B,H,W,C] from dy[B,OH,OW,CO] and w[KH,KW,C,CO]. Needs C % 8 == 0. As the forward pass of a
 * transposed convolution, act(dx + bias[C]) (bias NULL for none): the layer's bias and activation.
 * Output pixels are visited by phase ((iy + pt) mod sy, (ix + pl) mod sx): within a phase every pixel
 * uses the same taps, and pixel (i, j) of the phase's grid reads, for its m-th tap row and n-th tap
 * column, dy at (qy0 + i - m, qx0 + j - n). dy is copied with a zero border, so tiles of 4 pixels in
 * the grid's raster order (wrapping rows) run every tap of the phase without bounds checks or
 * divisions. scratch: cvae_conv2d_backprop_input_scratch floats (w packed as [C/8][KH][KW][CO][8]).
 */
EXPORT void cvae_conv2d_backprop_input(const f32 *dy, int B, int OH, int OW, int CO,
                                       const f32 *w, int KH, int KW, int C,
                                       int sy, int sx, int pt, int pl, int H, int W,
                                       f32 *dx, f32 *scratch, const f32 *bias, int act) {
  const int taps = KH * KW, PT = bpi_pad_before(KH, sy), PL = bpi_pad_before(KW, sx);
  const int PH = bpi_pad_extent(OH, H, KH, sy, pt), PW = bpi_pad_extent(OW, W, KW, sx, pl);
  f32 *packed = scratch, *dypad = scratch + taps * C * CO;
  for (int nb = 0; nb < C / 8; nb++)
    for (int t = 0; t < taps; t++)
      for (int co = 0; co < CO; co++)
        for (int j = 0; j < 8; j++)
          packed[((nb * taps + t) * CO + co) * 8 + j] = w[(t * C + nb * 8 + j) * CO + co];

  for (int b = 0; b < B; b++) {
    pad_image(dy, b, OH, OW, CO, PT, PL, PH, PW, dypad);
    for (int ry = 0; ry < sy; ry++) {
        const int iy0 = mod_positive(ry - pt, sy);
        if (iy0 >= H) continue;
        const int rows = (H - iy0 + sy - 1) / sy, qy0 = (iy0 + pt - ry) / sy;
        for (int rx = 0; rx < sx; rx++) {
          const int ix0 = mod_positive(rx - pl, sx);
          if (ix0 >= W) continue;
          const int cols = (W - ix0 + sx - 1) / sx, qx0 = (ix0 + pl - rx) / sx, n = rows * cols;
          for (int g = 0, i = 0, j = 0; g < n; g += 4) {
            const f32 *base[4];
            f32 *out[4];
            /* (i, j): the grid pixel g + r, advanced in raster order (the last one repeats past n). */
            for (int r = 0; r < 4; r++) {
              base[r] = dypad + ((qy0 + i + PT) * PW + qx0 + j + PL) * CO;
              out[r] = dx + ((b * H + iy0 + i * sy) * W + ix0 + j * sx) * C;
              if (g + r + 1 < n && ++j == cols) j = 0, i++;
            }
            for (int nb = 0; nb < C / 8; nb++) {
              v128_t acc[8];
              TILE_ZERO(acc);
              for (int ky = ry, m = 0; ky < KH; ky += sy, m++)
                for (int kx = rx, k = 0; kx < KW; kx += sx, k++) {
                  const int off = -(m * PW + k) * CO;
                  tile_step(base[0] + off, base[1] + off, base[2] + off, base[3] + off,
                            packed + ((nb * taps + ky * KW + kx) * CO) * 8, CO, acc);
                }
              f32 *outs[4] = {out[0] + nb * 8, out[1] + nb * 8, out[2] + nb * 8, out[3] + nb * 8};
              tile_store4(outs, n - g, acc, bias ? bias + nb * 8 : 0, act);
            }
          }
        }
      }
  }
}

/* ------------------------------------------- input grad, 3x3 stride 2: Winograd ---------- */

/*
 * The transposed 3x3 stride-2 convolution with no leading padding (the CVAE's decoder layers, and
 * the input gradient of its strided encoder conv) in fewer multiplies. Along one axis, output
 * 2u = dy[u]·w0 + dy[u-1]·w2 and 2u+1 = dy[u]·w1: over a tile of two dy pixels (u = 2t, 2t+1, reading
 * dy[2t-1..2t+1] = d-, d0, d+), the even pair is Winograd's F(2,2) and the odd pair two products:
 *
 *   inputs   a = (d- - d0, d0, d+ - d0, d0, d+)      weights  g = (w2, w0 + w2, w0, w1, w1)
 *   outputs  4t = m0 + m1, 4t+1 = m3, 4t+2 = m1 + m2, 4t+3 = m4     (m = a * g)
 *
 * 5 products for 4 outputs instead of 6. In 2-D the 5x5 products per tile are 25 matrix products
 * [tiles, CO] x [CO, C] instead of 36 taps: 0.69x the multiplies of the direct kernel. a1 and a3 are
 * the same value, so a tile has 4x4 distinct inputs. Only differences of dy and sums of two or four
 * weights enter, so rounding stays that of a reordered sum.
 */

/* The 4 distinct inputs of one axis, (d- - d0, d0, d+ - d0, d+): products 0, 1 (and 3), 2, 4 read them. */
#define WINO_IN(a, dm, d0, dp) \
  do { (a)[0] = wasm_f32x4_sub(dm, d0); (a)[1] = (d0); (a)[2] = wasm_f32x4_sub(dp, d0); (a)[3] = (dp); } while (0)

/* The distinct input (0..3) product i (0..5) of an axis reads. */
static inline int wino_input_of(int i) { return i == 3 ? 1 : i == 4 ? 3 : i; }

/* Tiles along an axis of `size` outputs: tile t writes outputs 4t..4t+3. */
static inline int wino_tiles(int size) { return (size + 3) / 4; }

/* Rows (or columns) of a padded dy image: a zero one before dy, then dy or the rows the last tile reads, whichever is longer. */
static inline int wino_pad_extent(int dySize, int dxSize) { return padded_extent(dySize, 1, 2 * wino_tiles(dxSize) + 1); }

/* Images whose tiles are grouped together: 4 x tiles is a whole number of register tiles (no idle rows). */
#define WINO_IMAGES 4

/* Floats of scratch cvae_deconv3s2_winograd needs: transformed filter, padded dy images, a group's inputs and products. */
EXPORT int cvae_deconv3s2_winograd_scratch(int OH, int OW, int CO, int C, int H, int W) {
  return 25 * CO * C + WINO_IMAGES * wino_pad_extent(OH, H) * wino_pad_extent(OW, W) * CO + 16 * 4 * CO + 25 * 8 * 4;
}

/* g = (w2, w0 + w2, w0, w1, w1) of three taps t[0], t[step], t[2 * step]. */
static inline void wino_filter_axis(const f32 *t, int step, f32 *g) {
  g[0] = t[2 * step]; g[1] = t[0] + t[2 * step]; g[2] = t[0]; g[3] = t[step]; g[4] = t[step];
}

/* packed[xi][nb][co][8] = the transformed filter of product xi (= 5i + j) for dx channels nb*8.. */
static void wino_pack_filter(const f32 *w, int C, int CO, f32 *packed) {
  const int NB = C / 8;
  for (int c = 0; c < C; c++)
    for (int co = 0; co < CO; co++) {
      f32 rows[3][5], g[5][5];
      for (int ky = 0; ky < 3; ky++) wino_filter_axis(w + (ky * 3 * C + c) * CO + co, C * CO, rows[ky]);
      for (int j = 0; j < 5; j++) {
        const f32 col[3] = {rows[0][j], rows[1][j], rows[2][j]};
        f32 gi[5];
        wino_filter_axis(col, 1, gi);
        for (int i = 0; i < 5; i++) g[i][j] = gi[i];
      }
      for (int xi = 0; xi < 25; xi++)
        packed[((xi * NB + c / 8) * CO + co) * 8 + c % 8] = g[xi / 5][xi % 5];
    }
}

/* Vg[p][r][co]: the 16 distinct inputs p = 4i + j of tile (ty, tx) as row r of a group of 4 tiles (CO % 4 == 0). */
static void wino_transform_tile(const f32 *pad, int ty, int tx, int PW, int CO, int r, f32 *Vg) {
  for (int co = 0; co < CO; co += 4) {
    v128_t rows[3][4], a[4];
    for (int k = 0; k < 3; k++) {
      const f32 *p = pad + ((2 * ty + k) * PW + 2 * tx) * CO + co;
      WINO_IN(rows[k], wasm_v128_load(p), wasm_v128_load(p + CO), wasm_v128_load(p + 2 * CO));
    }
    for (int j = 0; j < 4; j++) {
      WINO_IN(a, rows[0][j], rows[1][j], rows[2][j]);
      for (int i = 0; i < 4; i++) wasm_v128_store(Vg + ((i * 4 + j) * 4 + r) * CO + co, a[i]);
    }
  }
}

/*
 * One output row of a tile, 4 channels: its 5 column values are products i0 (+ i1 when >= 0) of each
 * column j (m[(5i + j) * 8]), then the same transform along the row; bias, activation, `cols` pixels stored.
 */
static inline void wino_store_row(const v128_t *m, int i0, int i1, f32 *out, int cols, int C, const f32 *bias4, int act) {
  v128_t z[5];
  for (int j = 0; j < 5; j++)
    z[j] = i1 < 0 ? m[(5 * i0 + j) * 8] : wasm_f32x4_add(m[(5 * i0 + j) * 8], m[(5 * i1 + j) * 8]);
  const v128_t y[4] = {wasm_f32x4_add(z[0], z[1]), z[3], wasm_f32x4_add(z[1], z[2]), z[4]};
  const v128_t bias = bias4 ? wasm_v128_load(bias4) : wasm_f32x4_splat(0.f);
  for (int c = 0; c < 4 && c < cols; c++) {
    v128_t v = bias4 ? wasm_f32x4_add(y[c], bias) : y[c];
    if (act == ACT_RELU) v = relu4(v);
    wasm_v128_store(out + c * C, v);
  }
}

/* The tile's outputs 4t..4t+3 along each axis that fall inside dx (rows 0, 1, 2, 3 = products 0+1, 3, 1+2, 4). */
static inline void wino_store_tile(const v128_t *m, int oy, int ox, f32 *dximg, int H, int W, int C, const f32 *bias4, int act) {
  const int cols = W - ox;
  f32 *out = dximg + (oy * W + ox) * C;
  wino_store_row(m, 0, 1, out, cols, C, bias4, act);
  if (oy + 1 < H) wino_store_row(m, 3, -1, out + W * C, cols, C, bias4, act);
  if (oy + 2 < H) wino_store_row(m, 1, 2, out + 2 * W * C, cols, C, bias4, act);
  if (oy + 3 < H) wino_store_row(m, 4, -1, out + 3 * W * C, cols, C, bias4, act);
}

/*
 * dx[B,H,W,C] = the transposed 3x3 stride-2 convolution of dy[B,OH,OW,CO] with w[3,3,C,CO] and no
 * leading padding (pt = pl = 0), then act(dx + bias): what cvae_conv2d_backprop_input computes for
 * that geometry, by the transform above. Needs C % 8 == 0 and CO % 4 == 0. The tiles of WINO_IMAGES
 * images at a time go in groups of 4 (the register tile's rows): transform their inputs, then for
 * each 8 channels the 25 products (tile_step over CO) and the output transform straight into dx with
 * the epilogue. scratch: cvae_deconv3s2_winograd_scratch floats.
 */
EXPORT void cvae_deconv3s2_winograd(const f32 *dy, int B, int OH, int OW, int CO, const f32 *w, int C,
                                    int H, int W, f32 *dx, f32 *scratch, const f32 *bias, int act) {
  const int TX = wino_tiles(W), T = wino_tiles(H) * TX;
  const int PH = wino_pad_extent(OH, H), PW = wino_pad_extent(OW, W), padFloats = PH * PW * CO, NB = C / 8;
  f32 *packed = scratch, *pad = packed + 25 * CO * C, *Vg = pad + WINO_IMAGES * padFloats;
  v128_t *m = (v128_t *)(Vg + 16 * 4 * CO);
  wino_pack_filter(w, C, CO, packed);
  for (int b0 = 0; b0 < B; b0 += WINO_IMAGES) {
    const int images = B - b0 < WINO_IMAGES ? B - b0 : WINO_IMAGES, tiles = images * T;
    for (int i = 0; i < images; i++) pad_image(dy, b0 + i, OH, OW, CO, 1, 1, PH, PW, pad + i * padFloats);
    for (int g0 = 0; g0 < tiles; g0 += 4) {
      f32 *dximg[4];
      int ty[4], tx[4];
      for (int r = 0; r < 4; r++) {
        const int g = g0 + r < tiles ? g0 + r : tiles - 1; /* tiles past the last repeat it; their outputs are not stored */
        const int image = g / T, t = g - image * T;
        ty[r] = t / TX;
        tx[r] = t - ty[r] * TX;
        dximg[r] = dx + (b0 + image) * H * W * C;
        wino_transform_tile(pad + image * padFloats, ty[r], tx[r], PW, CO, r, Vg);
      }
      for (int nb = 0; nb < NB; nb++) {
        for (int xi = 0; xi < 25; xi++) {
          const f32 *v = Vg + (wino_input_of(xi / 5) * 4 + wino_input_of(xi % 5)) * 4 * CO;
          v128_t acc[8];
          TILE_ZERO(acc);
          tile_step(v, v + CO, v + 2 * CO, v + 3 * CO, packed + ((xi * NB + nb) * CO) * 8, CO, acc);
          for (int i = 0; i < 8; i++) m[xi * 8 + i] = acc[i];
        }
        for (int r = 0; r < 4 && g0 + r < tiles; r++)
          for (int half = 0; half < 2; half++) {
            const int c0 = nb * 8 + half * 4;
            wino_store_tile(m + 2 * r + half, 4 * ty[r], 4 * tx[r], dximg[r] + c0, H, W, C, bias ? bias + c0 : 0, act);
          }
      }
    }
  }
}

static inline f32 horizontal_sum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* acc[2r], acc[2r+1] += dy row r (8 channels from co) * f, for the tile's 4 rows. */
#define DOT_ROW8(r) \
  acc[2 * (r)] = MADD(acc[2 * (r)], wasm_v128_load(p##r + co), f0); \
  acc[2 * (r) + 1] = MADD(acc[2 * (r) + 1], wasm_v128_load(p##r + co + 4), f1)
#define DOT_ROW4(r) acc[2 * (r)] = MADD(acc[2 * (r)], wasm_v128_load(p##r + co), f0)

/* The fused epilogue of one value: act(v + bias[c]). */
static inline f32 epilogue1(f32 v, const f32 *bias, int c, int act) {
  if (bias) v += bias[c];
  return act == ACT_RELU && v < 0.f ? 0.f : v;
}

/*
 * The stride-1 case of the dot kernel (the CVAE's 32 -> 1 output layer) as a product and a gather:
 * Z[t*C + c][p] = Σ_co dy[p][co]·w[t][c][co] for every dy pixel p and tap t — the register tile with
 * the reduction over CO and the taps as its 8-wide columns (the last taps*C % 8 columns as dot
 * products), stored one plane per column — then dx[iy][ix][c] = Σ_t Z[t*C + c][(iy + pt - ky, ix + pl - kx)] over
 * the taps that land in dy: for a tap and an output row, one contiguous run of a plane, added 4 at a time.
 */
static inline int taps_applies(int sy, int sx) { return sy == 1 && sx == 1; }
static inline int taps_columns(int KH, int KW, int C) { return (KH * KW * C + 7) / 8 * 8; }

/* The tile's 8 columns to 8 planes: column j of pixels r = 0..rows-1 at zp[j*stride + r] (4x4 transposes). */
static inline void tile_store_planar(const v128_t *acc, f32 *zp, int stride, int rows) {
  for (int h = 0; h < 2; h++) {
    const v128_t a = acc[h], b = acc[2 + h], c = acc[4 + h], d = acc[6 + h]; /* pixels 0..3, columns 4h..4h+3 */
    const v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
    const v128_t t2 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
    v128_t col[4];
    col[0] = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
    col[1] = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
    col[2] = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
    col[3] = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
    for (int j = 0; j < 4; j++) {
      f32 *dst = zp + (4 * h + j) * stride;
      if (rows >= 4) {
        wasm_v128_store(dst, col[j]);
      } else { /* the last, partial tile (no array: it would need a stack in the shared memory) */
        dst[0] = wasm_f32x4_extract_lane(col[j], 0);
        if (rows > 1) dst[1] = wasm_f32x4_extract_lane(col[j], 1);
        if (rows > 2) dst[2] = wasm_f32x4_extract_lane(col[j], 2);
      }
    }
  }
}

/* dst[0..n) += src[0..n), 4 at a time. */
static inline void add_run(f32 *dst, const f32 *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

static void backprop_input_taps(const f32 *dy, int B, int OH, int OW, int CO, const f32 *w, int KH, int KW, int C,
                                int pt, int pl, int H, int W, f32 *dx, f32 *scratch, const f32 *bias, int act) {
  const int used = KH * KW * C, cols = taps_columns(KH, KW, C), pixels = OH * OW;
  f32 *packed = scratch, *z = packed + cols * CO, *row = z + cols * pixels;
  /* packed: the filter's full 8-column panels as [CO][8] (w[t][c][co] is column t*C + c) */
  for (int col = 0; col < used / 8 * 8; col++)
    for (int co = 0; co < CO; co++) packed[((col / 8) * CO + co) * 8 + col % 8] = w[col * CO + co];
  for (int b = 0; b < B; b++) {
    const f32 *dyb = dy + b * pixels * CO;
    for (int p = 0; p < pixels; p += 4) {
      const f32 *p0 = dyb + p * CO;
      const f32 *p1 = p + 1 < pixels ? p0 + CO : p0, *p2 = p + 2 < pixels ? p0 + 2 * CO : p0, *p3 = p + 3 < pixels ? p0 + 3 * CO : p0;
      for (int pn = 0; pn < used / 8; pn++) {
        v128_t acc[8];
        TILE_ZERO(acc);
        tile_step(p0, p1, p2, p3, packed + pn * CO * 8, CO, acc);
        tile_store_planar(acc, z + pn * 8 * pixels + p, pixels, pixels - p);
      }
      /* The used % 8 last columns: dot products along CO (4 pixels, 2 chains each), not a mostly-zero panel. */
      for (int col = used / 8 * 8; col < used; col++) {
        v128_t acc[8];
        TILE_ZERO(acc);
        const f32 *f = w + col * CO;
        int co = 0;
        for (; co + 8 <= CO; co += 8) {
          const v128_t f0 = wasm_v128_load(f + co), f1 = wasm_v128_load(f + co + 4);
          DOT_ROW8(0); DOT_ROW8(1); DOT_ROW8(2); DOT_ROW8(3);
        }
        if (co < CO) {
          const v128_t f0 = wasm_v128_load(f + co);
          DOT_ROW4(0); DOT_ROW4(1); DOT_ROW4(2); DOT_ROW4(3);
        }
        f32 *dst = z + col * pixels + p;
        for (int r = 0; r < 4 && p + r < pixels; r++) dst[r] = horizontal_sum(wasm_f32x4_add(acc[2 * r], acc[2 * r + 1]));
      }
    }
    /* row: one output row, channel-major (row[c][ix]) */
    for (int iy = 0; iy < H; iy++) {
      fill_zero(row, W * C);
      for (int ky = 0; ky < KH; ky++) {
        const int oy = iy + pt - ky;
        if (oy < 0 || oy >= OH) continue;
        for (int kx = 0; kx < KW; kx++) {
          /* ox = ix + pl - kx inside [0, OW) */
          const int lo = kx - pl > 0 ? kx - pl : 0, hi = OW + kx - pl < W ? OW + kx - pl : W;
          if (lo >= hi) continue;
          for (int c = 0; c < C; c++)
            add_run(row + c * W + lo, z + ((ky * KW + kx) * C + c) * pixels + oy * OW + lo + pl - kx, hi - lo);
        }
      }
      f32 *out = dx + (b * H + iy) * W * C;
      for (int ix = 0; ix < W; ix++)
        for (int c = 0; c < C; c++) out[ix * C + c] = epilogue1(row[c * W + ix], bias, c, act);
    }
  }
}

/* Floats of scratch cvae_conv2d_backprop_input_dot needs. */
EXPORT int cvae_conv2d_backprop_input_dot_scratch(int OH, int OW, int CO, int KH, int KW, int C, int sy, int sx, int pt, int pl, int H, int W) {
  (void)pt; (void)pl; (void)H;
  if (!taps_applies(sy, sx)) return CO;
  const int cols = taps_columns(KH, KW, C);
  return cols * CO + OH * OW * cols + W * C;
}

/*
 * dx for C % 8 != 0 (the CVAE's 32 -> 1 output layer): dot products along CO, for tiles of 4
 * same-phase pixels (8 independent accumulator chains); stride 1 takes backprop_input_taps. Needs
 * CO % 4 == 0. bias/act as above. scratch: cvae_conv2d_backprop_input_dot_scratch floats.
 */
EXPORT void cvae_conv2d_backprop_input_dot(const f32 *dy, int B, int OH, int OW, int CO,
                                           const f32 *w, int KH, int KW, int C,
                                           int sy, int sx, int pt, int pl, int H, int W,
                                           f32 *dx, f32 *scratch, const f32 *bias, int act) {
  if (taps_applies(sy, sx)) {
    backprop_input_taps(dy, B, OH, OW, CO, w, KH, KW, C, pt, pl, H, W, dx, scratch, bias, act);
    return;
  }
  f32 *zeros = scratch;
  fill_zero(zeros, CO);
  for (int b = 0; b < B; b++)
    for (int iy = 0; iy < H; iy++) {
      f32 *dxrow = dx + (b * H + iy) * W * C;
      const int ky0 = first_tap(iy + pt, sy);
      for (int phase = 0; phase < sx && phase < W; phase++) {
        const int kx0 = first_tap(phase + pl, sx);
        const int count = (W - phase + sx - 1) / sx;
        for (int j = 0; j < count; j += 4) {
          const int ix = phase + j * sx;
          for (int c = 0; c < C; c++) {
            v128_t acc[8];
            TILE_ZERO(acc);
            for (int ky = ky0; ky < KH; ky += sy) {
              const int oy = (iy + pt - ky) / sy;
              if (iy + pt - ky < 0 || oy >= OH) continue;
              const f32 *dyrow = dy + (b * OH + oy) * OW * CO;
              for (int kx = kx0; kx < KW; kx += sx) {
                const int ox = (ix + pl - kx) / sx;
                const f32 *p0 = pixel_or_zero(dyrow, ox, OW, CO, 1, zeros);
                const f32 *p1 = pixel_or_zero(dyrow, ox + 1, OW, CO, j + 1 < count, zeros);
                const f32 *p2 = pixel_or_zero(dyrow, ox + 2, OW, CO, j + 2 < count, zeros);
                const f32 *p3 = pixel_or_zero(dyrow, ox + 3, OW, CO, j + 3 < count, zeros);
                const f32 *f = w + ((ky * KW + kx) * C + c) * CO;
                int co = 0;
                for (; co + 8 <= CO; co += 8) {
                  const v128_t f0 = wasm_v128_load(f + co), f1 = wasm_v128_load(f + co + 4);
                  DOT_ROW8(0); DOT_ROW8(1); DOT_ROW8(2); DOT_ROW8(3);
                }
                if (co < CO) {
                  const v128_t f0 = wasm_v128_load(f + co);
                  DOT_ROW4(0); DOT_ROW4(1); DOT_ROW4(2); DOT_ROW4(3);
                }
              }
            }
            for (int r = 0; r < 4 && j + r < count; r++)
              dxrow[(ix + r * sx) * C + c] = epilogue1(horizontal_sum(wasm_f32x4_add(acc[2 * r], acc[2 * r + 1])), bias, c, act);
          }
        }
      }
    }
}

/* ------------------------------------------------------------ filter grad ---------- */

/* Output pixels per block of the filter gradient: a block's packed patches and dy stay in L1/L2. */
#define DW_BLOCK_PIXELS 64

/*
 * dw rows [k, k+4) x 8 output channels += over P pixels whose patches were packed as rows of K
 * floats (pk: the block's patches from column k on; dyp: P rows of CO floats): constant strides,
 * one loop over the block, 8 accumulator chains.
 */
static inline void dw_tile4_packed(const f32 *pk, int K, const f32 *dyp, int CO, int P, f32 *t) {
  v128_t a00 = wasm_v128_load(t), a01 = wasm_v128_load(t + 4);
  v128_t a10 = wasm_v128_load(t + CO), a11 = wasm_v128_load(t + CO + 4);
  v128_t a20 = wasm_v128_load(t + 2 * CO), a21 = wasm_v128_load(t + 2 * CO + 4);
  v128_t a30 = wasm_v128_load(t + 3 * CO), a31 = wasm_v128_load(t + 3 * CO + 4);
  for (int p = 0; p < P; p++, pk += K, dyp += CO) {
    const v128_t d0 = wasm_v128_load(dyp), d1 = wasm_v128_load(dyp + 4);
    v128_t v = wasm_v128_load32_splat(pk);
    a00 = MADD(a00, v, d0);
    a01 = MADD(a01, v, d1);
    v = wasm_v128_load32_splat(pk + 1);
    a10 = MADD(a10, v, d0);
    a11 = MADD(a11, v, d1);
    v = wasm_v128_load32_splat(pk + 2);
    a20 = MADD(a20, v, d0);
    a21 = MADD(a21, v, d1);
    v = wasm_v128_load32_splat(pk + 3);
    a30 = MADD(a30, v, d0);
    a31 = MADD(a31, v, d1);
  }
  wasm_v128_store(t, a00); wasm_v128_store(t + 4, a01);
  wasm_v128_store(t + CO, a10); wasm_v128_store(t + CO + 4, a11);
  wasm_v128_store(t + 2 * CO, a20); wasm_v128_store(t + 2 * CO + 4, a21);
  wasm_v128_store(t + 3 * CO, a30); wasm_v128_store(t + 3 * CO + 4, a31);
}

/* dw row k x 16 output channels (8 when CO % 16 != 0) += over the block: the K % 4 remainder rows. */
static inline void dw_tile1_packed(const f32 *pk, int K, const f32 *dyp, int CO, int P, int wide, f32 *t) {
  v128_t a0 = wasm_v128_load(t), a1 = wasm_v128_load(t + 4);
  v128_t a2 = wide ? wasm_v128_load(t + 8) : a0, a3 = wide ? wasm_v128_load(t + 12) : a0;
  for (int p = 0; p < P; p++, pk += K, dyp += CO) {
    const v128_t v = wasm_v128_load32_splat(pk);
    a0 = MADD(a0, v, wasm_v128_load(dyp));
    a1 = MADD(a1, v, wasm_v128_load(dyp + 4));
    if (wide) {
      a2 = MADD(a2, v, wasm_v128_load(dyp + 8));
      a3 = MADD(a3, v, wasm_v128_load(dyp + 12));
    }
  }
  wasm_v128_store(t, a0); wasm_v128_store(t + 4, a1);
  if (wide) { wasm_v128_store(t + 8, a2); wasm_v128_store(t + 12, a3); }
}

/* Floats of scratch cvae_conv2d_backprop_filter needs: the padded image of one image and a block of packed patches. */
EXPORT int cvae_conv2d_backprop_filter_scratch(int H, int W, int C, int OH, int OW, int KH, int KW, int sy, int sx, int pt, int pl) {
  return fwd_pad_rows(H, pt, OH, sy, KH) * fwd_pad_cols(W, pl, OW, sx, KW) * C + DW_BLOCK_PIXELS * KH * KW * C;
}

/*
 * dw[KH,KW,C,CO] from x[B,H,W,C] and dy[B,OH,OW,CO]. Needs CO % 8 == 0. dw is dWᵀ = patchesᵀ · dy
 * reduced over output pixels: per image the zero-bordered x; per block of DW_BLOCK_PIXELS output
 * pixels in raster order their patches (rows of K = KH*KW*C, the same layout as dw's rows) are packed
 * (a copy of ~1/(2·CO) of the arithmetic), then every tile of 4 dw rows x 8 channels runs one loop over
 * the block. Each dw entry sums the pixels in raster order; border taps add 0.
 * scratch: cvae_conv2d_backprop_filter_scratch floats.
 */
EXPORT void cvae_conv2d_backprop_filter(const f32 *x, int B, int H, int W, int C,
                                        const f32 *dy, int OH, int OW, int CO,
                                        int KH, int KW, int sy, int sx, int pt, int pl, f32 *dw, f32 *scratch) {
  const int K = KH * KW * C, k4 = K - K % 4, run = KW * C, pixels = OH * OW;
  const int PH = fwd_pad_rows(H, pt, OH, sy, KH), PW = fwd_pad_cols(W, pl, OW, sx, KW);
  const int nstep = CO % 16 == 0 ? 16 : 8;
  f32 *padded = scratch, *packed = scratch + PH * PW * C;
  fill_zero(dw, K * CO);
  for (int b = 0; b < B; b++) {
    pad_image(x, b, H, W, C, pt, pl, PH, PW, padded);
    const f32 *dyb = dy + b * pixels * CO;
    for (int p0 = 0, oy = 0, ox = 0; p0 < pixels; p0 += DW_BLOCK_PIXELS) {
      const int P = pixels - p0 < DW_BLOCK_PIXELS ? pixels - p0 : DW_BLOCK_PIXELS;
      f32 *dst = packed;
      for (int p = 0; p < P; p++) {
        for (int ky = 0; ky < KH; ky++, dst += run) {
          const f32 *src = padded + ((oy * sy + ky) * PW + ox * sx) * C;
          for (int i = 0; i < run; i++) dst[i] = src[i];
        }
        if (++ox == OW) ox = 0, oy++;
      }
      const f32 *dyp = dyb + p0 * CO;
      for (int n = 0; n < CO; n += 8)
        for (int k = 0; k < k4; k += 4) dw_tile4_packed(packed + k, K, dyp + n, CO, P, dw + k * CO + n);
      for (int k = k4; k < K; k++)
        for (int n = 0; n < CO; n += nstep) dw_tile1_packed(packed + k, K, dyp + n, CO, P, nstep == 16, dw + k * CO + n);
    }
  }
}

/* ------------------------------------------------ activation and bias gradients ---------- */

/*
 * The backward pass of a fused bias + activation, in one pass over dy[rows, C]:
 *   dpre = act == ACT_RELU ? (y > 0 ? dy : 0) : dy     (tfjs: dy * step(y))
 *   dbias[c] = sum over rows of dpre[., c]
 * dbias is accumulated in float64 with the order of @cvae/tfjs-kernels' JS Sum (blocks of 8 rows
 * summed pairwise, then added), so it is the very number the Sum kernel gives for dpre.
 * scratch: 2*C floats (C doubles, 8-byte aligned). dpre may be dy itself (in place).
 */
EXPORT void cvae_bias_act_grad(const f32 *dy, const f32 *y, int rows, int C, int act,
                               f32 *dpre, f32 *dbias, double *scratch) {
  double *acc = scratch;
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  const v128_t zero = wasm_f32x4_splat(0.f);
  const int c4 = C - C % 4;
  int r = 0;
  for (; r < rows; r += 8) {
    const int block = rows - r < 8 ? rows - r : 8;
    const int base = r * C;
    /* Masks and stores the block first: then dpre holds exactly what is summed. */
    for (int i = 0; i < block * C; i += 4) {
      const int k = base + i;
      if (i + 4 <= block * C) {
        v128_t d = wasm_v128_load(dy + k);
        if (act == ACT_RELU) d = wasm_v128_and(d, wasm_f32x4_gt(wasm_v128_load(y + k), zero));
        wasm_v128_store(dpre + k, d);
      } else {
        for (int j = k; j < base + block * C; j++) dpre[j] = act == ACT_RELU && !(y[j] > 0.f) ? 0.f : dy[j];
      }
    }
    const f32 *p = dpre + base;
    if (block == 8) {
      int c = 0;
      for (; c < c4; c += 4) {
        /* Two f64x2 halves of 4 columns: ((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7)), as JS evaluates it. */
        v128_t lo[8], hi[8];
        for (int q = 0; q < 8; q++) {
          const v128_t v = wasm_v128_load(p + q * C + c);
          lo[q] = wasm_f64x2_promote_low_f32x4(v);
          hi[q] = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
        }
        const v128_t slo = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(lo[0], lo[1]), wasm_f64x2_add(lo[2], lo[3])),
                                          wasm_f64x2_add(wasm_f64x2_add(lo[4], lo[5]), wasm_f64x2_add(lo[6], lo[7])));
        const v128_t shi = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(hi[0], hi[1]), wasm_f64x2_add(hi[2], hi[3])),
                                          wasm_f64x2_add(wasm_f64x2_add(hi[4], hi[5]), wasm_f64x2_add(hi[6], hi[7])));
        wasm_v128_store(acc + c, wasm_f64x2_add(wasm_v128_load(acc + c), slo));
        wasm_v128_store(acc + c + 2, wasm_f64x2_add(wasm_v128_load(acc + c + 2), shi));
      }
      for (; c < C; c++) {
        const f32 *q = p + c;
        acc[c] += (((double)q[0] + q[C]) + ((double)q[2 * C] + q[3 * C])) +
                  (((double)q[4 * C] + q[5 * C]) + ((double)q[6 * C] + q[7 * C]));
      }
    } else {
      for (int q = 0; q < block; q++)
        for (int c = 0; c < C; c++) acc[c] += p[q * C + c];
    }
  }
  for (int c = 0; c < C; c++) dbias[c] = (f32)acc[c];
}

/* ------------------------------------------------------------ small matmul ---------- */

/*
 * out[M,N] = op(a) · op(b) for the dense layers' gradients, where tfjs-wasm's transposed
 * BatchMatMul is slow: op(a) is a[M,K], or a stored [K,M] when ta; op(b) is b[K,N], or stored
 * [N,K] when tb. Vectorised along the contiguous axis: rows of b (tb = 0) or dot products along
 * K (tb = 1). Each output is a sum over k in increasing order.
 */
EXPORT void cvae_matmul(const f32 *a, const f32 *b, int M, int K, int N, int ta, int tb, f32 *out) {
  const int sa_m = ta ? 1 : K, sa_k = ta ? M : 1; /* a element (m, k) at a[m*sa_m + k*sa_k] */
  if (!tb) {
    const int n4 = N - N % 4;
    for (int m = 0; m < M; m++) {
      f32 *o = out + m * N;
      for (int n = 0; n < n4; n += 4) {
        v128_t acc = wasm_f32x4_splat(0.f);
        for (int k = 0; k < K; k++)
          acc = MADD(acc, wasm_f32x4_splat(a[m * sa_m + k * sa_k]), wasm_v128_load(b + k * N + n));
        wasm_v128_store(o + n, acc);
      }
      for (int n = n4; n < N; n++) {
        f32 acc = 0.f;
        for (int k = 0; k < K; k++) acc += a[m * sa_m + k * sa_k] * b[k * N + n];
        o[n] = acc;
      }
    }
    return;
  }
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      const f32 *bn = b + n * K;
      f32 acc = 0.f;
      if (!ta) {
        /* Dot product along K, 4 lanes (k ≡ lane mod 4) summed at the end. */
        const f32 *am = a + m * K;
        v128_t v = wasm_f32x4_splat(0.f);
        int k = 0;
        for (; k + 4 <= K; k += 4) v = MADD(v, wasm_v128_load(am + k), wasm_v128_load(bn + k));
        acc = horizontal_sum(v);
        for (; k < K; k++) acc += am[k] * bn[k];
      } else {
        for (int k = 0; k < K; k++) acc += a[k * M + m] * bn[k];
      }
      out[m * N + n] = acc;
    }
}

/* ------------------------------------------------ sigmoid cross-entropy ---------- */

/*
 * e^x for x <= 0, 4 lanes (Cephes' expf: x = n ln2 + r, a degree-6 polynomial of r, times 2^n);
 * about 1 ulp. x is clamped at -87 (e^-87 ~ 1.6e-38: below that the cross-entropy term is 0 to
 * float precision anyway). Plain mul + add in both builds, so both round alike.
 */
static inline v128_t exp_nonpositive4(v128_t x) {
  x = wasm_f32x4_max(x, wasm_f32x4_splat(-87.f));
  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.f));
  /* 2^n from the exponent bits; n in [-126, 0]. */
  const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

/*
 * log(1 + t) for t in [0, 1], 4 lanes: Cephes' logf of u = 1 + t (mantissa m in [sqrt(1/2), sqrt(2)),
 * a degree-9 polynomial of m - 1) plus the rounding error of 1 + t divided by u, so a tiny t
 * keeps its digits (log1p(t) = t when 1 + t rounds to 1).
 */
static inline v128_t log1p_unit4(v128_t t) {
  const v128_t one = wasm_f32x4_splat(1.f);
  const v128_t u = wasm_f32x4_add(one, t);
  const v128_t lost = wasm_f32x4_sub(t, wasm_f32x4_sub(u, one)); /* exact: |1| >= |t| */
  const v128_t big = wasm_f32x4_gt(u, wasm_f32x4_splat(1.41421356237f));
  const v128_t e = wasm_v128_and(big, one); /* 1.f where u was halved */
  const v128_t f = wasm_f32x4_sub(wasm_v128_bitselect(wasm_f32x4_mul(u, wasm_f32x4_splat(0.5f)), u, big), one);
  const v128_t z = wasm_f32x4_mul(f, f);
  v128_t y = wasm_f32x4_splat(7.0376836292e-2f);
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(-1.1514610310e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(1.1676998740e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(-1.2420140846e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(1.4249322787e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(-1.6668057665e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(2.0000714765e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(-2.4999993993e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), wasm_f32x4_splat(3.3333331174e-1f));
  y = wasm_f32x4_mul(wasm_f32x4_mul(y, f), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(e, wasm_f32x4_splat(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, wasm_f32x4_splat(0.5f)));
  v128_t result = wasm_f32x4_add(f, y);
  result = wasm_f32x4_add(result, wasm_f32x4_mul(e, wasm_f32x4_splat(0.693359375f)));
  return wasm_f32x4_add(result, wasm_f32x4_div(lost, u));
}

/* max(l, 0) - l*x + log(1 + e^-|l|): tfjs's sigmoidCrossEntropyWithLogits, per lane. */
static inline v128_t sigmoid_cross_entropy4(v128_t l, v128_t x) {
  const v128_t softplus = log1p_unit4(exp_nonpositive4(wasm_f32x4_neg(wasm_f32x4_abs(l))));
  return wasm_f32x4_add(wasm_f32x4_sub(relu4(l), wasm_f32x4_mul(l, x)), softplus);
}

/* sigmoid(l) from t = e^-|l|: 1/(1+t) for l >= 0, t/(1+t) otherwise (no overflow either way). */
static inline v128_t sigmoid4(v128_t l) {
  const v128_t t = exp_nonpositive4(wasm_f32x4_neg(wasm_f32x4_abs(l)));
  const v128_t one = wasm_f32x4_splat(1.f);
  return wasm_f32x4_div(wasm_v128_bitselect(one, t, wasm_f32x4_ge(l, wasm_f32x4_splat(0.f))), wasm_f32x4_add(one, t));
}

/* The scalar lane of a remainder element, through the 4-lane code (so every element rounds alike). */
static inline f32 lane0(v128_t v) { return wasm_f32x4_extract_lane(v, 0); }

/*
 * out[r] = sum over c of the sigmoid cross-entropy of logits[r, c] against labels[r / repeat, c]
 * (rows [R, C]; labels [R / repeat, C], so the k importance samples of an image share its pixels).
 * Summed in float64.
 */
EXPORT void cvae_sigmoid_cross_entropy(const f32 *logits, const f32 *labels, int R, int C, int repeat, f32 *out) {
  const int c4 = C - C % 4;
  for (int r = 0; r < R; r++) {
    const f32 *l = logits + r * C, *x = labels + (r / repeat) * C;
    v128_t acc = wasm_f64x2_splat(0.0), acc2 = wasm_f64x2_splat(0.0);
    for (int c = 0; c < c4; c += 4) {
      const v128_t ce = sigmoid_cross_entropy4(wasm_v128_load(l + c), wasm_v128_load(x + c));
      acc = wasm_f64x2_add(acc, wasm_f64x2_promote_low_f32x4(ce));
      acc2 = wasm_f64x2_add(acc2, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(ce, ce, 2, 3, 0, 1)));
    }
    double sum = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1) +
                 wasm_f64x2_extract_lane(acc2, 0) + wasm_f64x2_extract_lane(acc2, 1);
    for (int c = c4; c < C; c++) sum += lane0(sigmoid_cross_entropy4(wasm_f32x4_splat(l[c]), wasm_f32x4_splat(x[c])));
    out[r] = (f32)sum;
  }
}

/* dlogits[r, c] = dy[r] * (sigmoid(logits[r, c]) - labels[r / repeat, c]): the gradient of the row sums above. */
EXPORT void cvae_sigmoid_cross_entropy_grad(const f32 *dy, const f32 *logits, const f32 *labels, int R, int C, int repeat, f32 *dlogits) {
  const int c4 = C - C % 4;
  for (int r = 0; r < R; r++) {
    const f32 *l = logits + r * C, *x = labels + (r / repeat) * C;
    f32 *d = dlogits + r * C;
    const v128_t g = wasm_f32x4_splat(dy[r]);
    for (int c = 0; c < c4; c += 4)
      wasm_v128_store(d + c, wasm_f32x4_mul(g, wasm_f32x4_sub(sigmoid4(wasm_v128_load(l + c)), wasm_v128_load(x + c))));
    for (int c = c4; c < C; c++) d[c] = dy[r] * (lane0(sigmoid4(wasm_f32x4_splat(l[c]))) - x[c]);
  }
}

/* ------------------------------------------------------------------ Adam ---------- */

/*
 * One Adam step over flat arrays, exactly tfjs's float32 operations in tfjs's order (each lane of
 * f32x4 mul/add/div/sqrt is one IEEE float32 operation, never fused), so the result is bit for bit
 * tf.train.adam's: m = m·β₁ + g·(1−β₁); v = v·β₂ + g²·(1−β₂);
 * value += (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) · (−lr).
 */
static inline v128_t adam4(v128_t value, v128_t g, v128_t *m, v128_t *v, const f32 *c) {
  const v128_t m1 = wasm_f32x4_add(wasm_f32x4_mul(*m, wasm_f32x4_splat(c[0])), wasm_f32x4_mul(g, wasm_f32x4_splat(c[1])));
  const v128_t v1 = wasm_f32x4_add(wasm_f32x4_mul(*v, wasm_f32x4_splat(c[2])), wasm_f32x4_mul(wasm_f32x4_mul(g, g), wasm_f32x4_splat(c[3])));
  const v128_t mHat = wasm_f32x4_div(m1, wasm_f32x4_splat(c[4]));
  const v128_t vHat = wasm_f32x4_div(v1, wasm_f32x4_splat(c[5]));
  const v128_t step = wasm_f32x4_div(mHat, wasm_f32x4_add(wasm_f32x4_sqrt(vHat), wasm_f32x4_splat(c[6])));
  *m = m1;
  *v = v1;
  return wasm_f32x4_add(wasm_f32x4_mul(step, wasm_f32x4_splat(c[7])), value);
}

/*
 * values, m, v updated in place from grads (n floats each). c: the 8 float32 constants β₁, 1−β₁,
 * β₂, 1−β₂, 1−β₁ᵗ, 1−β₂ᵗ, ε, −lr. The last n % 4 go through the same lanes (zero-padded copies).
 */
EXPORT void cvae_adam(f32 *values, const f32 *grads, f32 *m, f32 *v, int n, const f32 *c) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t mi = wasm_v128_load(m + i), vi = wasm_v128_load(v + i);
    wasm_v128_store(values + i, adam4(wasm_v128_load(values + i), wasm_v128_load(grads + i), &mi, &vi, c));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
  }
  for (; i < n; i++) {
    v128_t mi = wasm_f32x4_splat(m[i]), vi = wasm_f32x4_splat(v[i]);
    values[i] = lane0(adam4(wasm_f32x4_splat(values[i]), wasm_f32x4_splat(grads[i]), &mi, &vi, c));
    m[i] = lane0(mi);
    v[i] = lane0(vi);
  }
}
