/**
 * One compute path's view of a suite, run as its own process (noise.ts starts it with the path's
 * backend and environment): render every golden and, optionally, the gate metrics, and print how far
 * they are from the suite's goldens and baseline as one JSON line on stdout.
 *
 *   node noise-probe.js '{"suiteDir": …, "checkpoint": …, "dataDir": …, "backend": "wasm", "metrics": true}'
 */
import { estimate } from '@cvae/formats';
import { decodePng } from '@cvae/images';
import { measureGateImages, readBaseline } from './baseline';
import { maxChannelDelta } from './compare';
import { renderGoldens } from './golden-render';
import { readGoldenPng } from './golden-store';
import { withLoadedModel } from './load';
import type { PathNoise } from './noise';
import { readSuite } from './suite';

export interface ProbeRequest {
  suiteDir: string;
  checkpoint: string;
  dataDir?: string;
  backend: string;
  metrics: boolean;
  /** Only the first N gate images (paired with the baseline's first N). */
  metricsImages?: number;
  workers: number;
}

async function probe(request: ProbeRequest): Promise<Omit<PathNoise, 'path'> & { kernels: string }> {
  const loaded = await readSuite(request.suiteDir);
  const load = { checkpoint: request.checkpoint, backend: request.backend, dataDir: request.dataDir, dataset: loaded.suite.dataset, datasetOf: `suite ${loaded.dir}` };
  return withLoadedModel(load, async (model, source) => {
    const goldens: PathNoise['goldens'] = {};
    for (const { name, png } of renderGoldens(model, source, loaded.suite)) {
      const golden = await readGoldenPng(loaded.dir, name);
      if (golden === undefined) throw new Error(`${loaded.dir}: no golden ${name}.png to measure against`);
      const [a, b] = [decodePng(golden).rgba, decodePng(png).rgba];
      let differing = 0;
      for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) differing++;
      goldens[name] = { maxDelta: maxChannelDelta(a, b), differingPixels: differing };
    }
    if (!request.metrics) return { goldens, kernels: source.kernels };
    const baseline = await readBaseline(loaded.dir, loaded.suite);
    const images = Math.min(request.metricsImages ?? loaded.suite.gates.images, loaded.suite.gates.images);
    const subset = { ...loaded.suite, gates: { ...loaded.suite.gates, images } };
    const candidate = await measureGateImages(model, source, subset, { workers: request.workers });
    // |mean of the paired differences| over the images measured: what this path moves each gate's mean by.
    const metrics = Object.fromEntries(
      Object.entries(baseline.values).map(([metric, values]) => {
        const measured = candidate[metric as keyof typeof candidate] as Float32Array;
        return [metric, Math.abs(estimate(measured.map((v, i) => v - values[i])).mean)];
      }),
    );
    return { goldens, metrics, kernels: source.kernels };
  });
}

if (require.main === module) {
  probe(JSON.parse(process.argv[2]) as ProbeRequest).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
