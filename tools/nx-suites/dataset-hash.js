/** Prints one sha256 over every file below a directory (relative path and bytes; dot-entries skipped): an Nx runtime input. */
const { createHash } = require('crypto');
const { readdirSync, readFileSync } = require('fs');
const path = require('path');

function files(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));
}

const dir = process.argv[2];
const hash = createHash('sha256');
for (const file of files(dir)) hash.update(`${file}\0`).update(readFileSync(path.join(dir, file)));
process.stdout.write(`${hash.digest('hex')}\n`);
