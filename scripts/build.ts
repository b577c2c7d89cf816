// Builds dockhand for where it runs without a checkout (bundled with rolldown):
//   node scripts/build.ts sea   dist/dockhand: a single executable (Node.js's single executable
//                               applications), with every src/**/*.sh embedded as an asset under its
//                               path relative to src/ (what nodeScript() reads with node:sea getAsset)
//   node scripts/build.ts npm   dist/npm: dockhand's JavaScript for `npm pack` (Node.js does not strip
//                               types from files under node_modules), next to the same .sh files
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, globSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
/** ssh2's optional native helpers: it runs without them (and a single executable cannot load them). */
const NATIVE = [/\.node$/, 'cpu-features'];

function nodeScripts(): string[] {
  return globSync('**/*.sh', { cwd: join(root, 'src') }).sort();
}

async function buildSea(): Promise<void> {
  const out = join(dist, 'sea');
  rmSync(out, { recursive: true, force: true });
  await build({
    cwd: root,
    input: join(root, 'scripts/entry.ts'),
    platform: 'node',
    external: NATIVE,
    // packages' ES module builds first: a UMD build (jsonc-parser's main) requires its own files at run
    // time, which a single executable cannot
    resolve: { mainFields: ['module', 'main'] },
    logLevel: 'warn',
    output: { file: join(out, 'dockhand.cjs'), format: 'cjs', codeSplitting: false },
  });
  const assets = Object.fromEntries(nodeScripts().map((name) => [name, join(root, 'src', name)]));
  const config = {
    main: join(out, 'dockhand.cjs'),
    output: join(dist, 'dockhand'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets,
  };
  writeFileSync(join(out, 'sea-config.json'), `${JSON.stringify(config, null, 2)}\n`);
  execFileSync(process.execPath, ['--build-sea', join(out, 'sea-config.json')], { stdio: 'inherit' });
  chmodSync(config.output, 0o755);
  const size = statSync(config.output).size;
  process.stdout.write(`dist/dockhand: ${(size / 2 ** 20).toFixed(1)} MiB, Node.js ${process.version}, ${Object.keys(assets).length} node scripts embedded\n`);
}

async function buildNpm(): Promise<void> {
  const out = join(dist, 'npm');
  rmSync(out, { recursive: true, force: true });
  const pkg = (await import(join(root, 'package.json'), { with: { type: 'json' } })).default as { dependencies: Record<string, string> };
  const dependencies = Object.keys(pkg.dependencies).map((name) => new RegExp(`^${name}(/|$)`));
  await build({
    cwd: root,
    input: { main: join(root, 'src/cli/main.ts') },
    platform: 'node',
    external: [...dependencies, ...NATIVE],
    logLevel: 'warn',
    // nodeScript() reads ../ from its module: the chunks sit in cli/, the scripts at their src/ paths
    output: { dir: join(out, 'cli'), format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
  });
  for (const name of nodeScripts()) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    copyFileSync(join(root, 'src', name), join(out, name));
  }
  process.stdout.write(`${relative(root, out)}: built, ${nodeScripts().length} node scripts\n`);
}

const target = process.argv[2];
if (target === 'sea') await buildSea();
else if (target === 'npm') await buildNpm();
else {
  process.stderr.write('usage: node scripts/build.ts sea|npm\n');
  process.exitCode = 1;
}
