import { promises as fs } from 'fs';
import { workspacePaths } from './workspace';

export default async function globalTeardown(): Promise<void> {
  await fs.rm(workspacePaths().root, { recursive: true, force: true });
}
