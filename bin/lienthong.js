#!/usr/bin/env node
// Operator commands of Liên Thông. Runs the compiled CLI; `npm run build` produces it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  console.error(
    'lienthong: the project is not built yet; run `npm run build` (or use `npm run cli -- <command>`).',
  );
  process.exit(1);
}
require(entry);
