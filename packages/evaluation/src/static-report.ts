/**
 * The static HTML report beside report.json: one self-contained index.html (the report data, the
 * renderer and its styles inlined; the images are the files beside it), so a report downloaded as a
 * CI artifact opens from file:// with no server. The renderer is @cvae/report-ui — the same code the
 * viewer's review page runs on the same report.json.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import type { GoldenReport } from '@cvae/formats';
import { writeFileAtomic } from '@cvae/images';

export const STATIC_REPORT_FILE = 'index.html';
/** Read as files, never loaded as code here (package.json lists it, so Nx builds it first). */
const REPORT_UI_PACKAGE = '@cvae/report-ui';

export async function writeStaticReport(reportDir: string, report: GoldenReport): Promise<string> {
  const file = path.join(reportDir, STATIC_REPORT_FILE);
  await writeFileAtomic(file, staticReportHtml(report));
  return file;
}

export function staticReportHtml(report: GoldenReport): string {
  const { script, style } = reportUiAssets();
  const title = `cvae report: ${report.suite.name} — ${report.passed ? 'PASS' : 'FAIL'}`;
  // JSON inside <script type="application/json">: escape "<" so no "</script>" in the data can end the element.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<main id="report"></main>',
    `<script type="application/json" id="report-data">${data}</script>`,
    `<script>${script}</script>`,
    '<script>CvaeReportUi.renderStaticReport(document.getElementById("report"), JSON.parse(document.getElementById("report-data").textContent));</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The built renderer (dist/report-ui.js, an IIFE defining CvaeReportUi) and its stylesheet. */
function reportUiAssets(): { script: string; style: string } {
  const dist = path.join(packageRoot(require.resolve(REPORT_UI_PACKAGE)), 'dist');
  const script = readFileSync(path.join(dist, 'report-ui.js'), 'utf8');
  // Inlined in <script>: a "</script" inside a string literal would end the element early.
  return { script: script.replace(/<\/script/gi, '<\\/script'), style: readFileSync(path.join(dist, 'report-ui.css'), 'utf8') };
}

/**
 * The directory of the package.json above a resolved entry point: dist/index.js when installed, or
 * src/index.ts when a TypeScript loader maps @cvae/* to sources (where a `pkg/package.json` subpath
 * would be mapped to a path that does not exist).
 */
function packageRoot(entry: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${entry}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
