// Preloaded into dockhand with `node --require` (the single executable: NODE_OPTIONS="--require ..."): on exit, writes the process's peak resident set size
// (process.resourceUsage().maxRSS, KiB) to the file named by BENCH_MAX_RSS_FILE. CommonJS and --require, not
// an ES module under --import: with `--import` of a module, dockhand's own peak RSS at 2,000 endpoints was
// 281 MiB against 180 to 189 without it (its heap twice as large, its external memory four times), so the
// hook measured itself.
'use strict';
const { writeFileSync } = require('node:fs');

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
