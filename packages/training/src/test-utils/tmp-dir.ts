import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

/** Backend for training tests: wasm (the cpu backend is ~10× slower); override with CVAE_TEST_BACKEND. */
export const TEST_BACKEND = (process.env.CVAE_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu' | 'tfjs-node';

/** A fresh temp directory per test file, removed afterwards. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), `cvae-${prefix}-`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
