/**
 * The decoder process that image-folder-load.ts starts: reads a DecodeJob as JSON on stdin, decodes
 * every image with sharp, writes the cache entry, and answers one JSON line on stdout:
 * `{"decoded": n}`, or `{"error": "<one line>", "dataset": true}` for a DatasetError (a bad file).
 */
import { readFileSync } from 'fs';
import sharp from 'sharp';
import { DatasetError } from './idx';
import { DecodeJob, decodeIntoCache } from './image-folder-load';

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(0, 'utf8')) as DecodeJob;
  sharp.cache(false); // every image is read once: libvips' operation cache would only hold memory
  const decoded = await decodeIntoCache(job);
  process.stdout.write(`${JSON.stringify({ decoded })}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  process.stdout.write(`${JSON.stringify({ error: message, dataset: error instanceof DatasetError })}\n`);
  process.exitCode = 1;
});
