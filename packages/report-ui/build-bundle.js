// Bundles src/index.ts into dist/report-ui.js: an IIFE defining the global CvaeReportUi, which the static
// report (index.html, written by @cvae/evaluation) inlines with dist/report-ui.css.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, 'dist');

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'src', 'index.ts')],
    outfile: path.join(dist, 'report-ui.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'CvaeReportUi',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  .then(() => fs.copyFileSync(path.join(__dirname, 'src', 'report-ui.css'), path.join(dist, 'report-ui.css')))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
