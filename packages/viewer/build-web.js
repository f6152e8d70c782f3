// Bundles the web app (src/web) with esbuild into dist/public, beside the server's dist/server.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const outdir = path.join(__dirname, 'dist', 'public');

async function main() {
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'src', 'web', 'main.ts')],
    outfile: path.join(outdir, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'style.css']) fs.copyFileSync(path.join(__dirname, 'src', 'web', file), path.join(outdir, file));
  // The review page renders with @cvae/report-ui, like the static report: its stylesheet too.
  fs.copyFileSync(path.join(path.dirname(require.resolve('@cvae/report-ui/package.json')), 'src', 'report-ui.css'), path.join(outdir, 'report-ui.css'));
  // uPlot's own stylesheet (legend, cursor), served beside ours.
  fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), path.join(outdir, 'uPlot.min.css'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
