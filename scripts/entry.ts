// The entry point of dockhand's bundles (the single executable and the npm package): bin/dockhand.js
// without the checks that only a checkout needs.
import { main } from '../src/cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dockhand: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 70;
  },
);
