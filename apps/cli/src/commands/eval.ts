import { existsSync } from 'fs';
import { availableParallelism } from 'os';
import * as path from 'path';
import { loadSplit } from '@cvae/dataset';
import { EvalProgress, Metrics, deriveGates, evaluateModel, loadForEvaluation, referenceCheckpointDir, writeGates } from '@cvae/evaluation';
import { intOption, stringOption } from '../args';
import type { Command, Io } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';
import { BACKEND_OPTION, backendOption, workersFlag } from './backend-option';

const TEST_IMAGES = 10_000;

/** The checkpoint flag's value, or the reference; a missing directory is one line naming it. */
export function checkpointOption(options: Record<string, string | boolean | undefined>): string {
  const dir = stringOption(options, 'checkpoint') ?? referenceCheckpointDir();
  if (!existsSync(dir)) throw new UsageError(`checkpoint directory ${dir} does not exist${stringOption(options, 'checkpoint') ? '' : ' (the reference model; pass --checkpoint DIR)'}`);
  return dir;
}

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'Evaluate a checkpoint on the MNIST test set: ELBO (± standard error), KL, reconstruction MSE and cross-entropy, optional IWAE.',
  options: {
    checkpoint: { type: 'string', value: 'DIR', description: 'checkpoint directory (default: runs/reference/checkpoints/last)' },
    limit: { type: 'string', value: 'N', description: 'evaluate the first N test images (default: all 10000)' },
    'iw-samples': { type: 'string', value: 'K', description: 'importance samples for the IWAE log p(x) bound; 64 is the usual choice, 0 skips it (slow: K decoder passes per image)', default: '0' },
    seed: { type: 'string', value: 'S', description: 'seed of the eps draws', default: '0' },
    backend: BACKEND_OPTION,
    workers: {
      type: 'string',
      value: 'N',
      description: `threads evaluating, main thread included (default: ${availableParallelism()}, the number of cores); the numbers do not depend on it`,
    },
    json: { type: 'boolean', description: 'print one JSON object' },
    'write-gates': { type: 'string', value: 'FILE', description: 'also derive quality gates (mean ∓ 3 standard errors) from this evaluation and write them to FILE' },
  },
  async run(options, _positionals, io) {
    const limit = intOption(options, 'limit', 1, TEST_IMAGES);
    const iwSamples = intOption(options, 'iw-samples', 0, 10_000) ?? 0;
    const seed = intOption(options, 'seed', 0, 2 ** 31 - 1) ?? 0;
    const backend = backendOption(options);
    const workers = workersFlag(options);
    const checkpoint = checkpointOption(options);
    const loaded = await loadForEvaluation({ checkpoint, backend });
    try {
      const metrics = await evaluateModel(loaded.model, loadSplit('test', { limit }), { seed, iwSamples, workers, onProgress: progressPrinter(io) });
      const gatesFile = stringOption(options, 'write-gates');
      if (gatesFile !== undefined) await writeGates(path.resolve(gatesFile), deriveGates(metrics, { checkpoint: loaded.checkpoint, backend: loaded.backend }));
      const result = { checkpoint: path.resolve(checkpoint), backend: loaded.backend, workers, ...metrics };
      io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : humanReadable(result));
      if (gatesFile !== undefined) io.stderr(`eval: wrote gates to ${gatesFile}\n`);
      return 0;
    } finally {
      loaded.model.dispose();
    }
  },
};

/** Progress with ETA on stderr: rewritten in place on a terminal, about every 10% otherwise. */
export function progressPrinter(io: Io): (p: EvalProgress) => void {
  let lastDecile = -1;
  return (p) => {
    const decile = Math.floor((10 * p.done) / p.total);
    if (!io.isTTY && decile === lastDecile && p.done !== p.total) return;
    lastDecile = decile;
    const eta = p.etaMs === undefined ? '?' : `${(p.etaMs / 1000).toFixed(0)}s`;
    const line = `eval ${p.phase}: ${p.done}/${p.total} images (${Math.round((100 * p.done) / p.total)}%), ETA ${eta}`;
    io.stderr(io.isTTY ? `\r${line}${p.done === p.total ? '\n' : ''}` : `${line}\n`);
  };
}

function humanReadable(result: Metrics & { checkpoint: string; backend: string; workers: number }): string {
  const row = (name: string, e: { mean: number; standardError: number }, unit: string) => [name, e.mean.toFixed(4), e.standardError.toFixed(4), unit];
  const rows = [
    row('ELBO (Monte Carlo)', result.elbo, 'nats/image'),
    row('KL(q(z|x) ‖ N(0,I))', result.kl, 'nats/image'),
    row('reconstruction MSE', result.reconstructionMse, 'per pixel'),
    row('reconstruction cross-entropy', result.reconstructionCrossEntropy, 'nats/image'),
    ...(result.iwae ? [row(`IWAE log p(x), k=${result.iwae.samples}`, result.iwae, 'nats/image')] : []),
  ];
  return [
    `checkpoint: ${result.checkpoint}`,
    `backend: ${result.backend}, threads: ${result.workers}, images: ${result.images}, eps seed: ${result.seed}, ${(result.elapsedMs / 1000).toFixed(1)} s`,
    '',
    formatTable(['metric', 'mean', 'std error', 'unit'], rows),
    '',
  ].join('\n');
}
