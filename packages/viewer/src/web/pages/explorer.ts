import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageModel, LatentResponse } from '../../shared/api-types';
import { fetchLatent, fetchRuns } from '../api';
import { checkDecoder, decodeImage, decodeMany, displaySize, drawImage, drawStrip, loadDecoder, toBytes, valuesPerImage } from '../decoder';
import { formatNumber, h } from '../dom';
import { DIGIT_COLORS } from '../digit-colors';
import { Plane, dimsPlane, float32FromBase64, fromBase64, lerp, pointOnPlane, project, slerp, steps } from '../latent-math';
import { followRuns } from '../live';
import { runPicker } from './run-picker';
import { noCleanup, type Page } from './page';

/** The plane shows [-RANGE, RANGE]² of its coordinates: ±3 standard deviations of the prior along any unit direction. */
const RANGE = 3;
const SLIDER_RANGE = 4;
const PLANE_PX = 320;
const STRIP_STEPS = 8;
/** On-screen size (longer side) of the decoded image and of a test image's thumbnail, whatever the model's size. */
const DECODED_PX = 224;
const THUMB_PX = 42;

/** The test set in the run's latent space, decoded from the server's answer. */
interface TestSpace {
  count: number;
  latentDim: number;
  epoch: number;
  imageModel: ImageModel;
  means: Float32Array;
  labels: Uint8Array;
  principal: (Plane & { explained: [number, number] }) | null;
  pickable: number;
  pixels: Uint8Array;
}

interface ExplorerState {
  latentDim: number;
  planeKind: 'principal' | 'dims';
  dims: [number, number];
  z: number[];
  /** Index of the test image whose mean holds the dimensions outside the plane, or null for 0. */
  hold: number | null;
  ends: [number, number];
  pickFor: 'hold' | 'a' | 'b';
}

export const explorerPage: Page = async (root, params, rerender) => {
  root.append(h('h1', {}, 'Latent explorer'));
  const runs = (await fetchRuns()).filter((r) => r.decoderUrl !== null && r.imageModel !== null);
  const run = runs.find((r) => r.name === params.get('run')) ?? runs[0];
  if (!run?.decoderUrl || !run.imageModel) {
    root.append(h('p', { class: 'empty' }, 'No run with a checkpoint (checkpoints/last) found.'));
    return noCleanup;
  }
  root.append(runPicker(runs, run.name, 'explorer'));
  const status = h('p', { class: 'message', 'data-testid': 'explorer-status' }, `Loading the decoder of “${run.name}” and encoding its test set…`);
  const body = h('div', {});
  root.append(status, body);
  const [decoder, space] = await Promise.all([loadDecoder(run.decoderUrl), fetchLatent(run.name).then(toTestSpace, (error: Error) => error)]);
  const latentDim = space instanceof Error ? (run.latentDim ?? 2) : space.latentDim;
  // The encoded checkpoint's, which is the one whose test means are shown; else the run's checkpoint (the same files).
  const imageModel = space instanceof Error ? run.imageModel : space.imageModel;
  checkDecoder(decoder, imageModel);
  const images = describeImages(imageModel);
  status.textContent = space instanceof Error
    ? `Latent ${latentDim}. The test set could not be encoded (${space.message}): only the latent dimensions can be explored (${images}).`
    : `Latent ${latentDim}, checkpoint of epoch ${space.epoch}; ${formatNumber(space.count)} test images encoded on the server, decoded here in the browser (tfjs, cpu): ${images}.`;
  const explorer = new Explorer(decoder, imageModel, space instanceof Error ? null : space, initialState(latentDim, params, space instanceof Error ? null : space));
  const newer = newerCheckpointNotice(rerender);
  body.append(newer.element, explorer.element);
  explorer.start();
  // A live run writes checkpoints/last every epoch: offer the newer one (not swapped in under the user's hands).
  const shownEpoch = space instanceof Error ? run.checkpointEpoch : space.epoch;
  return followRuns((fresh) => {
    const epoch = fresh.find((r) => r.name === run.name)?.checkpointEpoch ?? null;
    if (epoch !== null && epoch !== shownEpoch) newer.show(epoch);
  });
};

/** "The checkpoint of epoch N has been written" with a button that loads it (the page is built again). */
function newerCheckpointNotice(load: () => void): { element: HTMLElement; show(epoch: number): void } {
  const text = h('span', {});
  const element = h('p', { class: 'message', 'data-testid': 'newer-checkpoint', hidden: true }, text, ' ', h('button', { type: 'button', onclick: load }, 'Load it'));
  return {
    element,
    show(epoch) {
      text.textContent = `The run has written the checkpoint of epoch ${epoch}.`;
      element.hidden = false;
    },
  };
}

/** "28×28 grey images, the pixel probabilities (Bernoulli)" or "32×32 RGB images, the means of the discretized logistic". */
function describeImages({ inputShape: [height, width, channels], likelihood }: ImageModel): string {
  const shown = likelihood === 'bernoulli' ? 'the pixel probabilities (Bernoulli)' : 'the means of the discretized logistic';
  return `${height}×${width} ${channels === 3 ? 'RGB' : 'grey'} images, ${shown}`;
}

function toTestSpace(answer: LatentResponse): TestSpace {
  return {
    count: answer.count,
    latentDim: answer.latentDim,
    epoch: answer.epoch,
    imageModel: answer.imageModel,
    means: float32FromBase64(answer.means),
    labels: fromBase64(answer.labels),
    principal: answer.principal,
    pickable: answer.images.count,
    pixels: fromBase64(answer.images.pixels),
  };
}

/** Whether the test means' principal plane can be shown: the encoded test set is there and the latent space has 2+ dimensions. */
function hasPrincipalPlane(space: TestSpace | null | undefined, latentDim: number): boolean {
  return space !== null && space !== undefined && space.principal !== null && latentDim >= 2;
}

/** From the hash: z (comma list), plane=pca|dims, dims=i,j (0-based), hold=k, ends=a,b. */
function initialState(latentDim: number, params: URLSearchParams, space: TestSpace | null): ExplorerState {
  const numbers = (key: string) => params.get(key)?.split(',').map(Number).filter(Number.isFinite) ?? [];
  const z = numbers('z');
  const dims = numbers('dims').filter((d) => Number.isInteger(d) && d >= 0 && d < latentDim);
  const ends = numbers('ends').filter((i) => space !== null && Number.isInteger(i) && i >= 0 && i < space.pickable);
  const hold = Number(params.get('hold') ?? NaN);
  const wantPrincipal = params.get('plane') === 'pca' || (params.get('plane') !== 'dims' && latentDim > 2);
  return {
    latentDim,
    planeKind: wantPrincipal && hasPrincipalPlane(space, latentDim) ? 'principal' : 'dims',
    dims: dims.length === 2 && dims[0] !== dims[1] ? [dims[0], dims[1]] : [0, Math.min(1, latentDim - 1)],
    z: z.length === latentDim ? z.map(clampSlider) : new Array<number>(latentDim).fill(0),
    hold: space !== null && Number.isInteger(hold) && hold >= 0 && hold < space.pickable ? hold : null,
    ends: ends.length === 2 ? [ends[0], ends[1]] : [0, 1],
    pickFor: 'hold',
  };
}

class Explorer {
  readonly element: HTMLElement;
  private readonly plane = h('canvas', { width: PLANE_PX, height: PLANE_PX, class: 'latent-plane', 'data-testid': 'latent-plane', 'aria-label': 'latent plane' });
  private readonly output: HTMLCanvasElement;
  private readonly readout = h('output', { class: 'z-readout', 'data-testid': 'z-readout' });
  private readonly sliders: { input: HTMLInputElement; value: HTMLElement }[] = [];
  private readonly planeControls = h('div', { class: 'controls plane-controls' });
  private readonly holdControls = h('div', { class: 'controls' });
  private readonly strips = h('div', { class: 'strips' });
  private readonly gallery = h('div', { class: 'thumbs', 'data-testid': 'test-images' });
  private dots: HTMLCanvasElement | null = null;
  private readonly scheduled: () => void;

  constructor(
    private readonly decoder: LayersModel,
    private readonly imageModel: ImageModel,
    private readonly space: TestSpace | null,
    private readonly state: ExplorerState,
  ) {
    const [height, width] = imageModel.inputShape;
    this.output = h('canvas', { width, height, class: 'decoded pixelated', 'data-testid': 'decoded', 'data-state': 'loading', 'data-renders': 0 });
    Object.assign(this.output.style, displaySize(imageModel, DECODED_PX));
    this.scheduled = oncePerFrame(() => this.render());
    const sliderBox = h('div', { class: 'sliders', 'data-testid': 'sliders' });
    for (let k = 0; k < state.latentDim; k++) {
      const input = h('input', { type: 'range', min: -SLIDER_RANGE, max: SLIDER_RANGE, step: 0.01, 'aria-label': `z${k + 1}`, 'data-testid': `slider-z${k + 1}` });
      const value = h('span', { class: 'slider-value' });
      input.addEventListener('input', () => {
        this.state.z[k] = clampSlider(Number(input.value));
        this.scheduled();
      });
      this.sliders.push({ input, value });
      sliderBox.append(h('label', { class: 'slider' }, h('span', {}, `z${k + 1}`), input, value));
    }
    this.element = h(
      'div',
      { class: 'explorer' },
      h('section', { class: 'card' }, h('h2', {}, 'Plane'), this.planeControls, this.holdControls,
        h('div', { class: 'explorer-grid' }, this.plane, h('div', { class: 'decoded-box' }, this.output, this.readout)),
        h('p', { class: 'message' }, 'Click or drag in the plane; every other direction keeps its value. The dots are the test images’ posterior means, coloured by digit.')),
      h('section', { class: 'card' }, h('h2', {}, 'Every dimension'), sliderBox),
      this.space ? h('section', { class: 'card' }, h('h2', {}, 'Interpolation between two test images'), this.strips) : null,
      this.space ? h('section', { class: 'card' }, h('h2', {}, 'Test images'), this.pickerControls(), this.gallery) : null,
    );
  }

  start(): void {
    attachPointer(this.plane, (fx, fy) => {
      const [a, b] = [(fx * 2 - 1) * RANGE, (1 - fy * 2) * RANGE]; // screen y grows down, the second coordinate up
      this.state.z = pointOnPlane(this.currentPlane(), clampPlane(a), clampPlane(b), this.state.z).map(clampSlider);
      this.scheduled();
    });
    this.renderPlaneControls();
    this.renderHoldControls();
    this.renderGallery();
    this.renderStrips();
    this.render();
  }

  private currentPlane(): Plane {
    if (this.state.planeKind === 'principal' && this.space?.principal) return this.space.principal;
    if (this.state.latentDim === 1) return { u: [1], v: [0] }; // a line: the plane's second coordinate moves nothing
    return dimsPlane(this.state.latentDim, this.state.dims[0], this.state.dims[1]);
  }

  private mean(index: number): number[] {
    const d = this.state.latentDim;
    return Array.from(this.space?.means.subarray(index * d, (index + 1) * d) ?? []);
  }

  /** Decode z, draw the plane and every readout. */
  private render(): void {
    const { z } = this.state;
    drawImage(this.output, this.imageModel, toBytes(decodeImage(this.decoder, this.imageModel, z)));
    const [a, b] = project(this.currentPlane(), z);
    this.drawPlane(a, b);
    this.sliders.forEach(({ input, value }, k) => {
      input.value = String(z[k]);
      value.textContent = z[k].toFixed(2);
    });
    this.readout.textContent = `z = (${z.map((v) => v.toFixed(3)).join(', ')})`;
    Object.assign(this.output.dataset, { z: z.join(','), plane: `${a},${b}`, renders: String(Number(this.output.dataset.renders) + 1), state: 'ready' });
    this.writeHash();
  }

  private drawPlane(a: number, b: number): void {
    const ctx = this.plane.getContext('2d');
    if (!ctx) return;
    this.dots ??= this.drawDots();
    ctx.drawImage(this.dots, 0, 0);
    ctx.beginPath();
    ctx.arc(toPx(a), PLANE_PX - toPx(b), 6, 0, 2 * Math.PI);
    ctx.fillStyle = '#111';
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  /** Grid and the test means projected onto the plane, drawn once per plane. */
  private drawDots(): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = PLANE_PX;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    drawGrid(ctx, this.axisNames());
    if (!this.space) return canvas;
    const plane = this.currentPlane();
    const d = this.state.latentDim;
    for (let i = 0; i < this.space.count; i++) {
      const [a, b] = project(plane, this.space.means.subarray(i * d, (i + 1) * d));
      const [r, g, bl] = DIGIT_COLORS[this.space.labels[i] % 10];
      ctx.fillStyle = `rgba(${r},${g},${bl},0.55)`;
      ctx.fillRect(toPx(a) - 1, PLANE_PX - toPx(b) - 1, 2, 2);
    }
    return canvas;
  }

  private axisNames(): [string, string] {
    if (this.state.planeKind === 'principal') return ['pc1', 'pc2'];
    return [`z${this.state.dims[0] + 1}`, `z${this.state.dims[1] + 1}`];
  }

  private renderPlaneControls(): void {
    const { state, space } = this;
    const choose = (kind: ExplorerState['planeKind']) => {
      state.planeKind = kind;
      this.dots = null;
      this.renderPlaneControls();
      this.scheduled();
    };
    const principalAvailable = hasPrincipalPlane(space, state.latentDim);
    const explained = space?.principal?.explained.map((e) => `${Math.round(e * 100)}%`).join(' + ');
    const dimSelect = (which: 0 | 1) => {
      const select = h('select', { 'aria-label': which === 0 ? 'across' : 'up', 'data-testid': `plane-dim-${which}`, disabled: state.planeKind !== 'dims' });
      for (let k = 0; k < state.latentDim; k++) select.append(h('option', { value: k, selected: state.dims[which] === k, disabled: state.dims[1 - which] === k }, `z${k + 1}`));
      select.addEventListener('change', () => {
        state.dims[which] = Number(select.value);
        choose('dims');
      });
      return select;
    };
    const radio = (kind: ExplorerState['planeKind'], text: string, disabled: boolean) =>
      h('label', {}, h('input', { type: 'radio', name: 'plane', value: kind, checked: state.planeKind === kind, disabled, 'data-testid': `plane-${kind}`, onchange: () => choose(kind) }), ` ${text}`);
    this.planeControls.replaceChildren(...present(
      radio('principal', principalAvailable ? `first two principal components of the test means (${explained} of their variance)` : 'principal components (needs the encoded test set)', !principalAvailable),
      state.latentDim >= 2 ? radio('dims', 'dimensions', false) : null,
      state.latentDim >= 2 ? dimSelect(0) : null,
      state.latentDim >= 2 ? h('span', {}, '×') : null,
      state.latentDim >= 2 ? dimSelect(1) : null,
    ));
  }

  private renderHoldControls(): void {
    const { state } = this;
    const set = (hold: number | null) => {
      state.hold = hold;
      const [a, b] = project(this.currentPlane(), state.z);
      const base = hold === null ? new Array<number>(state.latentDim).fill(0) : this.mean(hold);
      state.z = pointOnPlane(this.currentPlane(), a, b, base).map(clampSlider);
      this.renderHoldControls();
      this.renderGallery();
      this.scheduled();
    };
    const zero = h('label', {}, h('input', { type: 'radio', name: 'hold', checked: state.hold === null, 'data-testid': 'hold-zero', onchange: () => set(null) }), ' 0');
    const image = this.space
      ? h('label', {}, h('input', { type: 'radio', name: 'hold', checked: state.hold !== null, 'data-testid': 'hold-image', onchange: () => set(state.hold ?? 0) }), ` the mean of test image #${state.hold ?? 0}`, thumbnail(this.space, state.hold ?? 0))
      : null;
    const jump = this.space && state.hold !== null
      ? h('button', { type: 'button', 'data-testid': 'jump-to-mean', onclick: () => ((state.z = this.mean(state.hold ?? 0).map(clampSlider)), this.scheduled()) }, 'go to its mean')
      : null;
    this.holdControls.replaceChildren(...present(h('span', {}, 'Other directions held at: '), zero, image, jump));
  }

  private pickerControls(): HTMLElement {
    const radio = (value: ExplorerState['pickFor'], text: string) =>
      h('label', {}, h('input', { type: 'radio', name: 'pick-for', value, checked: this.state.pickFor === value, 'data-testid': `pick-for-${value}`, onchange: () => (this.state.pickFor = value) }), ` ${text}`);
    return h('div', { class: 'controls' }, h('span', {}, 'A click picks: '), radio('hold', 'the held image'), radio('a', 'interpolation start A'), radio('b', 'end B'));
  }

  private renderGallery(): void {
    const space = this.space;
    if (!space) return;
    const { hold, ends } = this.state;
    const thumbs = Array.from({ length: space.pickable }, (_, i) => {
      const roles = [hold === i ? 'hold' : '', ends[0] === i ? 'A' : '', ends[1] === i ? 'B' : ''].filter(Boolean).join(' ');
      const button = h('button', { type: 'button', class: `thumb${roles ? ' picked' : ''}`, title: `test image #${i} (digit ${space.labels[i]})${roles ? `: ${roles}` : ''}`, 'data-testid': `test-image-${i}`, 'data-roles': roles }, thumbnail(space, i), roles ? h('span', { class: 'roles' }, roles) : null);
      button.addEventListener('click', () => this.pick(i));
      return button;
    });
    this.gallery.replaceChildren(...thumbs);
  }

  private pick(index: number): void {
    const { state } = this;
    if (state.pickFor === 'hold') {
      // Keep the point in the plane; everything else comes from the picked image's mean.
      const [a, b] = project(this.currentPlane(), state.z);
      state.hold = index;
      state.z = pointOnPlane(this.currentPlane(), a, b, this.mean(index)).map(clampSlider);
      this.renderHoldControls();
      this.scheduled();
    } else {
      state.ends[state.pickFor === 'a' ? 0 : 1] = index;
      this.renderStrips();
    }
    this.renderGallery();
    this.writeHash();
  }

  /** Linear and spherical interpolation between the means of test images A and B, decoded here. */
  private renderStrips(): void {
    const space = this.space;
    if (!space) return;
    const [ia, ib] = this.state.ends;
    const [a, b] = [this.mean(ia), this.mean(ib)];
    const ts = steps(STRIP_STEPS);
    const strip = (kind: 'linear' | 'spherical', points: number[][]) => {
      const canvas = h('canvas', { class: 'strip pixelated', 'data-testid': `strip-${kind}`, 'data-ends': `${ia},${ib}`, 'data-state': 'ready' });
      drawStrip(canvas, this.imageModel, decodeMany(this.decoder, this.imageModel, points));
      return h('figure', { class: 'strip-figure' }, canvas, h('figcaption', {}, `${kind === 'linear' ? 'linear' : 'spherical (slerp)'}: test image #${ia} → #${ib}`));
    };
    this.strips.replaceChildren(
      h('div', { class: 'strip-ends' }, thumbnail(space, ia), h('span', {}, '→'), thumbnail(space, ib)),
      strip('linear', ts.map((t) => lerp(a, b, t))),
      strip('spherical', ts.map((t) => slerp(a, b, t))),
    );
  }

  /** The state in the hash, so a link reopens the same view; replaceState does not re-render the route. */
  private writeHash(): void {
    const { state } = this;
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    params.set('z', state.z.map((v) => Number(v.toFixed(4))).join(','));
    params.set('plane', state.planeKind === 'principal' ? 'pca' : 'dims');
    params.set('dims', state.dims.join(','));
    if (state.hold === null) params.delete('hold');
    else params.set('hold', String(state.hold));
    params.set('ends', state.ends.join(','));
    history.replaceState(null, '', `#/explorer?${params.toString().replace(/%2C/g, ',')}`);
  }
}

/** A test image as the server sent it (bytes of the model's shape), scaled to the thumbnail size. */
function thumbnail(space: TestSpace, index: number): HTMLCanvasElement {
  const canvas = h('canvas', { class: 'thumb-image pixelated' });
  const size = valuesPerImage(space.imageModel);
  drawImage(canvas, space.imageModel, space.pixels.subarray(index * size, (index + 1) * size));
  Object.assign(canvas.style, displaySize(space.imageModel, THUMB_PX));
  return canvas;
}

/** Dragging fires far more events than decodes fit in a frame: render once per frame, with the latest state. */
function oncePerFrame(render: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
}

/** Calls back with the pointer's position as fractions of the canvas (0–1 across, 0–1 down). */
function attachPointer(plane: HTMLCanvasElement, onPoint: (fx: number, fy: number) => void): void {
  const at = (event: PointerEvent) => {
    const box = plane.getBoundingClientRect();
    onPoint((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  };
  plane.addEventListener('pointerdown', (event) => {
    plane.setPointerCapture(event.pointerId);
    at(event);
  });
  plane.addEventListener('pointermove', (event) => {
    if (plane.hasPointerCapture(event.pointerId)) at(event);
  });
}

function present(...nodes: (Node | null)[]): Node[] {
  return nodes.filter((n): n is Node => n !== null);
}

function toPx(v: number): number {
  return ((v + RANGE) / (2 * RANGE)) * PLANE_PX;
}

function drawGrid(ctx: CanvasRenderingContext2D, [across, up]: [string, string]): void {
  ctx.fillStyle = '#f7f7f8';
  ctx.fillRect(0, 0, PLANE_PX, PLANE_PX);
  ctx.font = '11px system-ui, sans-serif';
  for (let v = -RANGE; v <= RANGE; v++) {
    ctx.beginPath();
    ctx.moveTo(toPx(v), 0);
    ctx.lineTo(toPx(v), PLANE_PX);
    ctx.moveTo(0, PLANE_PX - toPx(v));
    ctx.lineTo(PLANE_PX, PLANE_PX - toPx(v));
    ctx.strokeStyle = v === 0 ? '#9a9aa5' : '#dcdce0';
    ctx.stroke();
    ctx.fillStyle = '#6b6b76';
    if (v !== -RANGE && v !== RANGE) ctx.fillText(String(v), toPx(v) + 3, PLANE_PX / 2 - 3);
  }
  ctx.fillText(across, PLANE_PX - 24, PLANE_PX / 2 + 13);
  ctx.fillText(up, PLANE_PX / 2 + 4, 12);
}

function clampPlane(v: number): number {
  return Number.isFinite(v) ? Math.min(RANGE, Math.max(-RANGE, v)) : 0;
}

function clampSlider(v: number): number {
  return Number.isFinite(v) ? Math.min(SLIDER_RANGE, Math.max(-SLIDER_RANGE, v)) : 0;
}

