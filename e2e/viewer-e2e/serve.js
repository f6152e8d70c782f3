// Starts the built viewer server on the e2e fixture workspace, with --allow-accept.
// Usage: node e2e/viewer-e2e/serve.js --root DIR --port N
const path = require('path');
const { startViewerServer } = require('@cvae/viewer');

const args = process.argv.slice(2);
const arg = (name) => args[args.indexOf(`--${name}`) + 1];
const root = arg('root');

startViewerServer({
  runsDir: path.join(root, 'runs'),
  suitesDir: path.join(root, 'suites'),
  reportsDir: path.join(root, 'reports'),
  port: Number(arg('port')),
  allowAccept: true,
}).then(
  (server) => console.log(`viewer e2e server on ${server.url}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
