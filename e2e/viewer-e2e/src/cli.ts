import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { workspacePaths } from './workspace';

const CLI = path.join(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'cvae.js');

/** The flags every e2e training shares: the first images of MNIST, one thread (two cores are shared), wasm. */
export function trainArgs(name: string, flags: Record<string, string | number>): string[] {
  const all = { 'batch-size': 50, seed: 1, backend: 'wasm', workers: 1, ...flags, name };
  return ['train', ...Object.entries(all).flatMap(([key, value]) => [`--${key}`, String(value)])];
}

/** `cvae train …` (the built CLI) as its own process, writing into the fixture workspace's runs/. */
export function startCvae(args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CVAE_WORKSPACE: workspacePaths().root }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/** Resolves when the process exits 0; rejects with its output otherwise. */
export function finished(child: ChildProcess & { output: () => string }): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`cvae exited with ${code ?? signal}:\n${child.output()}`))));
  });
}
