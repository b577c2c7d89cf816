// dockhand as it ships: the single executable (no checkout, no Node.js on the machine) and the npm
// package installed with npm install -g, each run against the lab.
import { execa } from 'execa';
import { globSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLab, nodeExec } from '../lab/lab.ts';
import { REPO } from '../support/cli.ts';
import { ensureExecutable, installOnNode, removeFromNode } from '../support/executable.ts';
import { scratchDir, writeInventory, writeRegistryPlaybook } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const nodes = lab.nodes.filter((n) => n.variant === 'debian').slice(0, 2);
const dir = scratchDir('executable');
const inventory = writeInventory(dir, lab, nodes);
const playbook = writeRegistryPlaybook(dir, lab);
const common = ['-i', inventory, '--known-hosts', join(dir, 'known_hosts')];
const run = (file: string, args: string[], env: Record<string, string> = {}) =>
  execa(file, args, { reject: false, env: { DOCKHAND_STATE_DIR: join(dir, 'state'), ...env }, stdin: 'ignore', timeout: 120_000 });

describe('the single executable', () => {
  let executable = '';
  beforeAll(async () => {
    executable = await ensureExecutable();
    await resetNodes(nodes);
  }, 300_000);

  it('--help; every node-side script is embedded under its path below src/', async () => {
    const help = await run(executable, ['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: dockhand');
    const config = JSON.parse(readFileSync(join(REPO, 'dist', 'sea', 'sea-config.json'), 'utf8')) as { assets: Record<string, string> };
    expect(Object.keys(config.assets).sort()).toEqual(globSync('**/*.sh', { cwd: join(REPO, 'src') }).sort());
  });

  it('starts without loading the modules of a run: crypto, tls, http, http2, zlib and sqlite wait for a command that needs them', async () => {
    // the built-in modules Node.js loaded beyond its own start, printed at exit (a --require, read by the executable as by node)
    const probe = join(dir, 'loaded.cjs');
    writeFileSync(probe, "const base = new Set(process.moduleLoadList);\nprocess.on('exit', () => process.stderr.write('LOADED ' + process.moduleLoadList.filter((m) => !base.has(m)).join(',') + '\\n'));\n");
    const loaded = async (args: string[]) => {
      const result = await run(executable, args, { NODE_OPTIONS: `--require ${probe}` });
      expect(result.exitCode, result.stderr).toBe(0);
      return /^LOADED (.*)$/m.exec(result.stderr)?.[1]?.split(',') ?? [];
    };
    const heavy = /^NativeModule (crypto|tls|https?|http2|zlib|sqlite|dns)$/;
    for (const args of [['--version'], ['--help'], ['check', '--help']]) {
      const modules = await loaded(args);
      expect(modules.length, args.join(' ')).toBeGreaterThan(0);
      expect(modules.filter((m) => heavy.test(m)), args.join(' ')).toEqual([]);
    }
    // and a run loads them when it needs them
    expect((await loaded(['facts', ...common, '--json'])).filter((m) => heavy.test(m))).toEqual(expect.arrayContaining(['NativeModule crypto']));
  });

  it('facts and check against the lab', async () => {
    const facts = await run(executable, ['facts', ...common, '--json']);
    expect(facts.exitCode, facts.stderr).toBe(0);
    expect((JSON.parse(facts.stdout) as { hosts: { status: string }[] }).hosts.map((h) => h.status)).toEqual(['ok', 'ok']);
    const check = await run(executable, ['check', playbook, ...common, '--json']);
    expect(check.exitCode, check.stderr).toBe(3);
    expect((JSON.parse(check.stdout) as { hosts: { status: string }[] }).hosts.map((h) => h.status)).toEqual(['drift', 'drift']);
  });

  it('runs on a node that has no Node.js at all (given libatomic, as Node.js needs)', async () => {
    const node = nodes[0]!;
    await installOnNode(node.containerId);
    try {
      expect((await nodeExec(node, ['sh', '-c', 'command -v node || echo none'])).stdout.trim()).toBe('none');
      const version = await nodeExec(node, ['/usr/local/bin/dockhand', '--version']);
      expect(version.exitCode, version.output).toBe(0);
    } finally {
      await removeFromNode(node.containerId);
    }
  });
});

describe('npm pack', () => {
  it('installs with npm install -g and runs against the lab', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dockhand-pack-'));
    await execa('npm', ['pack', '--pack-destination', out], { cwd: REPO });
    const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    const prefix = join(out, 'prefix');
    // the Node.js the project installs (24 or later), first on PATH, as on a controller that has one
    const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
    await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(out, tarball)], { env: { PATH: path } });
    const bin = join(prefix, 'bin', 'dockhand');
    const help = await run(bin, ['--help'], { PATH: path });
    expect(help.exitCode, help.stderr).toBe(0);
    const facts = await run(bin, ['facts', ...common, '--json'], { PATH: path });
    expect(facts.exitCode, facts.stderr).toBe(0);
    expect((JSON.parse(facts.stdout) as { hosts: unknown[] }).hosts).toHaveLength(2);
  }, 300_000);
});
