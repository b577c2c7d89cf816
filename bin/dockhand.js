#!/usr/bin/env node
// dockhand's entry point. In a checkout the sources are TypeScript that Node.js runs directly (type
// stripping); an installed package (npm pack, npm install -g) carries them built as JavaScript in dist/npm,
// since Node.js does not strip types under node_modules.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `dockhand needs Node.js 24 or later (this is ${process.version}); run it through npm (npx dockhand), ` +
      'which uses the Node.js the project installs.\n',
  );
  process.exit(1);
}
// Cache compiled code between runs (node:module, Node.js 22.1+): start-up drops by about a third.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { existsSync } = await import('node:fs');
const sources = new URL('../src/cli/main.ts', import.meta.url);
const { runProcess } = await import(existsSync(sources) ? sources.href : '../dist/npm/cli/main.mjs');
runProcess(process.argv.slice(2));
