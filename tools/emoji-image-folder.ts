/**
 * Lays out the emoji of the npm package emoji-datasource-google (MIT; a root devDependency: 64×64 RGBA
 * PNGs under img/google/64/, one category per emoji in emoji.json) as an image folder that `--data-dir`
 * reads (packages/dataset/README.md, "Image folders"): OUT/<category>/<short_name>.png, the category as a
 * slug (`Smileys & Emotion` → `smileys-emotion`). From the workspace root:
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/emoji-image-folder.ts OUT [--min-images N] [--max-per-category N]
 *
 * --min-images N        skip categories with fewer than N images (default 20: drops `component`, 5 images)
 * --max-per-category N  keep the first N of each category in the package's sort order (for quick runs)
 *
 * OUT must not exist; it is built under a temp name and renamed, so it is whole or absent. OUT/.source.json
 * (skipped by the folder scan, as every dot-file) says where the images came from. Usage errors: one line, exit 2.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

interface EmojiEntry {
  short_name: string;
  image: string;
  category: string;
  sort_order: number;
  has_img_google: boolean;
}

interface Options {
  out: string;
  minImages: number;
  maxPerCategory: number;
}

const PACKAGE = 'emoji-datasource-google';
const IMAGE_DIR = path.join('img', 'google', '64');

class UsageError extends Error {}

function parseArgs(args: string[]): Options {
  const positional: string[] = [];
  const options = { minImages: 20, maxPerCategory: Infinity };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--min-images' || flag === '--max-per-category') {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be an integer ≥ 1, got '${args[i] ?? ''}'`);
      if (flag === '--min-images') options.minImages = value;
      else options.maxPerCategory = value;
    } else if (flag.startsWith('--')) {
      throw new UsageError(`unknown flag ${flag} (expected --min-images N or --max-per-category N)`);
    } else {
      positional.push(flag);
    }
  }
  if (positional.length !== 1) throw new UsageError('expected one operand: the output directory OUT');
  if (existsSync(positional[0])) throw new UsageError(`${positional[0]}: already exists (choose a new directory)`);
  return { out: positional[0], ...options };
}

/** `Smileys & Emotion` → `smileys-emotion`. */
function slug(category: string): string {
  return category.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function categories(packageDir: string, options: Options): Map<string, EmojiEntry[]> {
  const entries = JSON.parse(readFileSync(path.join(packageDir, 'emoji.json'), 'utf8')) as EmojiEntry[];
  const byCategory = new Map<string, EmojiEntry[]>();
  for (const entry of entries.filter((e) => e.has_img_google).sort((a, b) => a.sort_order - b.sort_order)) {
    const list = byCategory.get(slug(entry.category)) ?? [];
    list.push(entry);
    byCategory.set(slug(entry.category), list);
  }
  for (const [name, list] of byCategory) byCategory.set(name, list.slice(0, options.maxPerCategory));
  return byCategory;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const packageDir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
  const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const temp = `${path.resolve(options.out)}.tmp-${process.pid}`;
  const kept: string[] = [];
  const skipped: string[] = [];
  try {
    for (const [category, entries] of categories(packageDir, options)) {
      if (entries.length < options.minImages) {
        skipped.push(`${category} (${entries.length})`);
        continue;
      }
      mkdirSync(path.join(temp, category), { recursive: true });
      for (const entry of entries) copyFileSync(path.join(packageDir, IMAGE_DIR, entry.image), path.join(temp, category, `${entry.short_name}.png`));
      kept.push(`${category} (${entries.length})`);
    }
    const source = { package: `${PACKAGE}@${version}`, license: 'MIT (see its LICENSE)', images: IMAGE_DIR, minImages: options.minImages };
    writeFileSync(path.join(temp, '.source.json'), `${JSON.stringify(source, null, 2)}\n`);
    renameSync(temp, options.out);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  console.log(`wrote ${options.out}: ${kept.join(', ')}${skipped.length > 0 ? `; skipped (fewer than ${options.minImages}): ${skipped.join(', ')}` : ''}`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`emoji-image-folder: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
