// The entry point of dockhand's bundles (the single executable and the npm package): bin/dockhand.js
// without the checks that only a checkout needs.
import { runProcess } from '../src/cli/main.ts';

runProcess(process.argv.slice(2));
