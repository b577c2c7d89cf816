#!/usr/bin/env node
// dockhand's entry point. The sources are TypeScript that Node.js runs directly (type stripping).
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
const { main } = await import('../src/cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`dockhand: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 70;
}
