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
import { createRequire, isBuiltin } from 'node:module';
import { build, type Plugin } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
/** ssh2's optional native helpers: it runs without them (and a single executable cannot load them). */
const NATIVE = [/\.node$/, 'cpu-features'];

/**
 * Node.js's built-in modules, loaded where they are first used rather than when the executable starts. An
 * ES module's `import ... from 'node:crypto'` is hoisted to the top of a CommonJS bundle, so every start
 * (a `--version`, a `--help`) loaded and compiled crypto, tls, http2, zlib and sqlite, about half of the
 * start's CPU. Each such import goes instead to a small module that requires the built-in: it runs when
 * the module importing it is first initialized (the commands' modules are imported on demand).
 * A `require()` (CommonJS packages) is left as it is: those already run when their package is first used.
 */
const LAZY_PREFIX = '\0dockhand-builtin:';
const UNREAD = new Set([
  ...['stdin', 'stdout', 'stderr', 'report', 'exitCode', '_exiting', 'finalization'].map((key) => `node:process.${key}`),
  'node:tls.rootCertificates',
  ...['globalAgent', 'WebSocket', 'CloseEvent', 'MessageEvent', 'maxHeaderSize'].map((key) => `node:http.${key}`),
  ...['webcrypto', 'subtle', 'getRandomValues'].map((key) => `node:crypto.${key}`),
]);
function lazyBuiltins(): Plugin {
  return {
    name: 'dockhand-lazy-builtins',
    resolveId(source, _importer, extra) {
      if (extra.kind !== 'import-statement' || !isBuiltin(source)) return null;
      const name = source.startsWith('node:') ? source : `node:${source}`;
      return { id: `${LAZY_PREFIX}${name}`, moduleSideEffects: false };
    },
    load(id) {
      if (!id.startsWith(LAZY_PREFIX)) return null;
      const name = id.slice(LAZY_PREFIX.length);
      // every export is read when the module is first initialized: not the getters that do work or whose
      // value changes (UNREAD); one of those imported by name fails the build (a missing export), one read
      // through a namespace import is refused by onLog below
      const builtin = createRequire(import.meta.url)(name) as object;
      const exported = Object.keys(builtin).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default' && !UNREAD.has(`${name}.${key}`));
      return [
        `const builtin = require(${JSON.stringify(name)});`,
        'export default builtin;',
        ...exported.map((key) => `export const ${key} = builtin.${key};`),
      ].join('\n');
    },
  };
}

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
    plugins: [lazyBuiltins()],
    // a name read from a module that does not export it would be undefined at run time: refused here
    onLog(level, log, handler) {
      if (log.code === 'IMPORT_IS_UNDEFINED' || log.code === 'MISSING_EXPORT') throw new Error(`build: ${log.message}`);
      handler(level, log);
    },
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
