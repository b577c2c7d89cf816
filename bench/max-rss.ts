// Preloaded into dockhand with `node --import`: on exit, writes the process's peak resident set size
// (process.resourceUsage().maxRSS, KiB) to the file named by BENCH_MAX_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
