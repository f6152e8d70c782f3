import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunSummary } from '../../shared/api-types';
import { fetchRuns } from '../api';
import { IMAGE_SIZE, decodeProbabilities, drawGrey, loadDecoder, toGreyLevels } from '../decoder';
import { h } from '../dom';
import { runPicker } from './run-picker';
import { noCleanup, type Page } from './page';

/** The plane spans [-RANGE, RANGE]² in latent space: ±3 standard deviations of the prior. */
const RANGE = 3;
const PLANE_PX = 320;

export const explorerPage: Page = async (root, params) => {
  root.append(h('h1', {}, 'Latent explorer'));
  const runs = (await fetchRuns()).filter((r) => r.decoderUrl !== null && (r.latentDim ?? 2) === 2);
  const run = runs.find((r) => r.name === params.get('run')) ?? runs[0];
  if (!run?.decoderUrl) {
    root.append(h('p', { class: 'empty' }, 'No run with a latent-2 checkpoint (checkpoints/last) found.'));
    return noCleanup;
  }
  root.append(runPicker(runs, run.name, 'explorer'));
  const view = explorerView(run);
  root.append(view.element);
  try {
    const decoder = await loadDecoder(run.decoderUrl);
    view.start(decoder, parseZ(params.get('z')) ?? [0, 0]);
  } catch (error) {
    view.fail(error);
  }
  return noCleanup;
};

function explorerView(run: RunSummary) {
  const plane = h('canvas', { width: PLANE_PX, height: PLANE_PX, class: 'latent-plane', 'data-testid': 'latent-plane', 'aria-label': 'latent plane' });
  const output = h('canvas', { width: IMAGE_SIZE, height: IMAGE_SIZE, class: 'decoded pixelated', 'data-testid': 'decoded', 'data-state': 'loading', 'data-renders': 0 });
  const zInputs = [0, 1].map((i) => h('input', { type: 'number', step: 0.01, min: -RANGE, max: RANGE, 'aria-label': `z${i + 1}`, 'data-testid': `z${i + 1}` }));
  const zText = h('output', { class: 'z-readout', 'data-testid': 'z-readout' }, 'loading decoder…');
  const element = h(
    'section',
    { class: 'card explorer' },
    h('p', {}, `Click or drag in the plane: the decoder of run “${run.name}” turns z into a digit, in this browser (tfjs, cpu).`),
    h('div', { class: 'explorer-grid' }, plane, h('div', { class: 'decoded-box' }, output, zText, h('div', { class: 'z-inputs' }, ...zInputs.map((input, i) => h('label', {}, `z${i + 1} `, input))))),
  );

  let render: (z: [number, number]) => void = () => undefined;
  const start = (decoder: LayersModel, initialZ: [number, number]) => {
    render = (z) => {
      drawGrey(output, toGreyLevels(decodeProbabilities(decoder, z)));
      drawPlane(plane, z);
      zInputs.forEach((input, i) => (input.value = z[i].toFixed(3)));
      zText.textContent = `z = (${z[0].toFixed(3)}, ${z[1].toFixed(3)})`;
      output.dataset.z = `${z[0]},${z[1]}`;
      output.dataset.renders = String(Number(output.dataset.renders) + 1);
      output.dataset.state = 'ready';
    };
    const scheduled = coalescePerFrame(render);
    attachPointer(plane, scheduled);
    zInputs.forEach((input) => input.addEventListener('change', () => scheduled(clampZ([Number(zInputs[0].value), Number(zInputs[1].value)]))));
    render(initialZ);
  };
  const fail = (error: unknown) => {
    output.dataset.state = 'error';
    zText.textContent = `Could not load the decoder: ${(error as Error).message}`;
  };
  drawPlane(plane, null);
  return { element, start, fail };
}

/** Dragging fires far more events than decodes fit in a frame: only the latest z is decoded. */
function coalescePerFrame(render: (z: [number, number]) => void): (z: [number, number]) => void {
  let pending: [number, number] | null = null;
  return (z) => {
    if (pending === null) requestAnimationFrame(() => {
      const latest = pending as [number, number];
      pending = null;
      render(latest);
    });
    pending = z;
  };
}

function attachPointer(plane: HTMLCanvasElement, onZ: (z: [number, number]) => void): void {
  const toZ = (event: PointerEvent): [number, number] => {
    const box = plane.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width;
    const fy = (event.clientY - box.top) / box.height;
    return clampZ([(fx * 2 - 1) * RANGE, (1 - fy * 2) * RANGE]); // screen y grows down, z2 up
  };
  plane.addEventListener('pointerdown', (event) => {
    plane.setPointerCapture(event.pointerId);
    onZ(toZ(event));
  });
  plane.addEventListener('pointermove', (event) => {
    if (plane.hasPointerCapture(event.pointerId)) onZ(toZ(event));
  });
}

function drawPlane(plane: HTMLCanvasElement, z: [number, number] | null): void {
  const ctx = plane.getContext('2d');
  if (!ctx) return;
  const toPx = (v: number) => ((v + RANGE) / (2 * RANGE)) * PLANE_PX;
  ctx.fillStyle = '#f7f7f8';
  ctx.fillRect(0, 0, PLANE_PX, PLANE_PX);
  ctx.strokeStyle = '#dcdce0';
  ctx.fillStyle = '#6b6b76';
  ctx.font = '11px system-ui, sans-serif';
  for (let v = -RANGE; v <= RANGE; v++) {
    ctx.beginPath();
    ctx.moveTo(toPx(v), 0);
    ctx.lineTo(toPx(v), PLANE_PX);
    ctx.moveTo(0, PLANE_PX - toPx(v));
    ctx.lineTo(PLANE_PX, PLANE_PX - toPx(v));
    ctx.strokeStyle = v === 0 ? '#9a9aa5' : '#dcdce0';
    ctx.stroke();
    if (v !== -RANGE && v !== RANGE) ctx.fillText(String(v), toPx(v) + 3, PLANE_PX / 2 - 3);
  }
  if (z === null) return;
  ctx.beginPath();
  ctx.arc(toPx(z[0]), PLANE_PX - toPx(z[1]), 6, 0, 2 * Math.PI);
  ctx.fillStyle = '#2f5fd0';
  ctx.fill();
}

function clampZ(z: [number, number]): [number, number] {
  return z.map((v) => (Number.isFinite(v) ? Math.min(RANGE, Math.max(-RANGE, v)) : 0)) as [number, number];
}

/** `z=0.5,-1.25` in the hash query: lets a link (and the e2e test) open a given point. */
export function parseZ(raw: string | null): [number, number] | null {
  const parts = raw?.split(',').map(Number);
  return parts?.length === 2 && parts.every(Number.isFinite) ? clampZ(parts as [number, number]) : null;
}
