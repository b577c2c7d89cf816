// npm run bench:libraries [-- --baseline REV --rounds N --no-lab --lab-home NAME|default]: the libraries that replaced
// hand-written protocol and format code (the CRI client on connect + protobuf-es, the TOML layout from
// toml-eslint-parser), measured in one process against the code before them (REV, built in a temporary
// export of that commit):
//   size       of the single executable (dist/dockhand) and of its bundled JavaScript
//   start-up   CPU and wall time of `dockhand --help`, and of `dockhand check` on the lab's containerd nodes
//   pull check the time of one CRI pull check (ImageStatus, PullImage, RemoveImage over a root SSH login's
//              streamlocal channel, as dockhand does it) and this process's CPU for it
//   planning   the CPU of the config.toml edit (and of the layout alone) over every fixture
// Old and new alternate round by round. Prints a table and writes bench/results/libraries.json; never asserts
// a timing.
import '../test/lab/env.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client as SshClient } from 'ssh2';
import { DEFAULT_HOME, isLabLive, loadLab, namedHome, readSecret, startLab, stopLab, type Lab, type LabNode } from '../test/lab/lab.ts';
import { childCpuMs, runTimed, median } from './proc.ts';

const { values: opts } = parseArgs({
  options: {
    baseline: { type: 'string', default: 'fb6d8ab' },
    rounds: { type: 'string', default: '10' },
    'no-lab': { type: 'boolean', default: false },
    // a running lab to use (its containerd nodes), left running; without it the bench starts one of its own
    'lab-home': { type: 'string' },
  },
});
const rounds = Number(opts.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number >= 1, got ${opts.rounds}`);
const root = path.join(import.meta.dirname, '..');
const t0 = performance.now();
const log = (m: string): void => void process.stderr.write(`[libs ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${m}\n`);

type Side = 'old' | 'new';
const SIDES: readonly Side[] = ['old', 'new'];
/** Old first in odd rounds, new first in even ones. */
const order = (round: number): readonly Side[] => (round % 2 === 1 ? SIDES : [...SIDES].reverse());

interface Figure {
  what: string;
  unit: string;
  old: number[];
  new: number[];
}
const figures: Figure[] = [];
function figure(what: string, unit: string): Figure {
  const f: Figure = { what, unit, old: [], new: [] };
  figures.push(f);
  return f;
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// --- the code before: an export of the baseline commit, built ------------------------------------------

function baselineCheckout(rev: string): string {
  const commit = execFileSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' }).trim();
  const dir = path.join(tmpdir(), `dockhand-baseline-${commit}`);
  if (!existsSync(path.join(dir, 'dist', 'dockhand'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: root });
    // its dependencies are a subset of this checkout's, at the same versions
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    log(`building the baseline ${commit} in ${dir}`);
    execFileSync(process.execPath, ['scripts/build.ts', 'sea'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

const checkouts: Record<Side, string> = { old: baselineCheckout(opts.baseline), new: root };
log('building this checkout');
execFileSync(process.execPath, ['scripts/build.ts', 'sea'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const exe = (side: Side): string => path.join(checkouts[side], 'dist', 'dockhand');

// --- size -----------------------------------------------------------------------------------------------

const sizes = {
  executable: figure('single executable (dist/dockhand)', 'MiB'),
  bundle: figure('its bundled JavaScript (dist/sea/dockhand.cjs)', 'KiB'),
};
for (const side of SIDES) {
  sizes.executable[side].push(statSync(exe(side)).size / 2 ** 20);
  sizes.bundle[side].push(statSync(path.join(checkouts[side], 'dist', 'sea', 'dockhand.cjs')).size / 2 ** 10);
}

// --- planning: the config.toml edit over every fixture ---------------------------------------------------

interface ConfigToml {
  DEFAULT_CONFIG_PATH: string;
  readContainerdConfig(text: string | null): unknown;
  effectiveConfigPath(config: unknown, version: string | null): { directory: string } | null;
  editContainerdConfig(text: string | null, edit: { configPath: string; containerdVersion: string | null }): { text: string | null; blockers: string[] };
}
interface Layout {
  scanToml(text: string): unknown;
}
const modules = {
  old: {
    config: (await import(path.join(checkouts.old, 'src/runtimes/containerd/config-toml.ts'))) as ConfigToml,
    layout: (await import(path.join(checkouts.old, 'src/runtimes/containerd/toml-layout.ts'))) as Layout,
  },
  new: {
    config: (await import(path.join(root, 'src/runtimes/containerd/config-toml.ts'))) as ConfigToml,
    layout: (await import(path.join(root, 'src/formats/toml/layout.ts'))) as Layout,
  },
};
const fixtureDir = path.join(root, 'test/unit/runtimes/containerd/fixtures/input');
const fixtures = readdirSync(fixtureDir).sort().map((f) => readFileSync(path.join(fixtureDir, f), 'utf8'));

function planAll(m: ConfigToml): string[] {
  return fixtures.map((text) => {
    const directory = m.effectiveConfigPath(m.readContainerdConfig(text), '1.7.24')?.directory ?? m.DEFAULT_CONFIG_PATH;
    const r = m.editContainerdConfig(text, { configPath: directory, containerdVersion: '1.7.24' });
    return `${r.text ?? ''}\0${r.blockers.join('\n')}`;
  });
}
function layoutAll(m: Layout): number {
  let n = 0;
  for (const text of fixtures) {
    try {
      m.scanToml(text.replace(/^\uFEFF/, ''));
      n += 1;
    } catch {
      // the invalid fixture: both refuse it
    }
  }
  return n;
}
{
  const [a, b] = [planAll(modules.old.config), planAll(modules.new.config)];
  const differ = a.filter((x, i) => x !== b[i]).length;
  if (differ > 0) throw new Error(`old and new plan ${differ} of ${fixtures.length} fixtures differently`);
  log(`planning: old and new give the same edit (text and blockers) for all ${fixtures.length} fixtures`);
}
const planning = {
  edit: figure(`config.toml edit of one node (read, plan, splice, re-parse check), mean over ${fixtures.length} fixtures`, 'ms CPU'),
  layout: figure('the layout alone (statements and offsets), mean over the fixtures', 'ms CPU'),
};
const REPEAT = 40;
for (let i = 0; i < 20; i++) for (const side of SIDES) planAll(modules[side].config); // warm-up (JIT)
for (let round = 1; round <= rounds; round++) {
  for (const side of order(round)) {
    let before = ownCpuMs();
    for (let i = 0; i < REPEAT; i++) planAll(modules[side].config);
    planning.edit[side].push((ownCpuMs() - before) / REPEAT / fixtures.length);
    before = ownCpuMs();
    for (let i = 0; i < REPEAT; i++) layoutAll(modules[side].layout);
    planning.layout[side].push((ownCpuMs() - before) / REPEAT / fixtures.length);
  }
}
log('planning measured');

// --- start-up: --help ------------------------------------------------------------------------------------

async function timedRun(side: Side, args: readonly string[], expectExit: number, env?: NodeJS.ProcessEnv): Promise<{ cpu: number; wall: number; stdout: string }> {
  const before = childCpuMs();
  const r = await runTimed(exe(side), args, { env: env ?? process.env, cwd: root });
  const cpu = childCpuMs() - before;
  if (r.exitCode !== expectExit) {
    throw new Error(`${side} dockhand ${args.join(' ')}: exit ${r.exitCode}, expected ${expectExit}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  }
  return { cpu, wall: r.ms, stdout: r.stdout };
}

const help = { cpu: figure('`dockhand --help`: CPU', 'ms'), wall: figure('`dockhand --help`: wall time', 'ms') };
const HELP_RUNS = 5;
for (const side of SIDES) await timedRun(side, ['--help'], 0);
for (let round = 1; round <= rounds; round++) {
  for (const side of order(round)) {
    let cpu = 0;
    let wall = 0;
    for (let i = 0; i < HELP_RUNS; i++) {
      const r = await timedRun(side, ['--help'], 0);
      cpu += r.cpu;
      wall += r.wall;
    }
    help.cpu[side].push(cpu / HELP_RUNS);
    help.wall[side].push(wall / HELP_RUNS);
  }
}
log('--help measured');

// --- the lab: check on the containerd nodes, and the CRI pull check --------------------------------------

interface PullCheckModule {
  criPullCheck(connection: unknown, image: string, credentials: { username: string; password: string } | undefined, crictl: boolean): Promise<string | null>;
}

async function labFigures(lab: Lab): Promise<void> {
  const nodes = lab.nodes.filter((n) => n.criSocket !== undefined);
  if (nodes.length === 0) throw new Error('the lab has no containerd node');
  const work = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-libs-'));
  const { http, https } = lab.registries;
  const image = (host: string): string => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0] ?? 'latest'}`;
  const password = readSecret(https.passwordFile);
  try {
    const inventory = path.join(work, 'containerd.ini');
    writeFileSync(inventory, ['[nodes]', ...nodes.map((n) => `${n.name} ansible_host=${n.address}`), '[all:vars]', 'ansible_user=root',
      `ansible_ssh_private_key_file=${lab.sshKeyPath}`, ''].join('\n'));
    const book = path.join(work, 'registries.yml');
    writeFileSync(book, `- name: the lab registries
  hosts: all
  registries:
    - {host: ${http.host}, ip: ${http.address}, insecure: true}
    - {host: ${https.host}, ip: ${https.address}, ca: ${https.caCertPath}}
`);
    const args = (command: string): string[] => [command, book, '-i', inventory, '--known-hosts', path.join(work, 'known_hosts'), '--json'];
    // converge the nodes once (not timed), then check them: both must find nothing to do
    await timedRun('new', args('apply'), 0);
    for (const side of SIDES) await timedRun(side, args('check'), 0);
    const check = {
      cpu: figure(`\`dockhand check\` on ${nodes.length} converged containerd nodes: CPU`, 'ms'),
      wall: figure(`\`dockhand check\` on ${nodes.length} converged containerd nodes: wall time`, 'ms'),
    };
    for (let round = 1; round <= rounds; round++) {
      for (const side of order(round)) {
        const r = await timedRun(side, args('check'), 0);
        const hosts = (JSON.parse(r.stdout) as { hosts: { status: string }[] }).hosts;
        if (hosts.length !== nodes.length || hosts.some((h) => h.status !== 'ok')) throw new Error(`${side} check: not every node ok: ${r.stdout.slice(0, 2000)}`);
        check.cpu[side].push(r.cpu);
        check.wall[side].push(r.wall);
      }
    }
    log('check measured');
    await pullChecks(lab, nodes[0]!, [[image(http.host), undefined], [image(https.host), { username: https.username, password }]]);
  } finally {
    rmSync(work, { recursive: true, force: true });
    // the nodes as the lab made them again: config.toml, certs.d, /etc/hosts, trust store
    const { resetNodes } = await import('../test/support/reset.ts');
    await resetNodes(nodes);
    log('containerd nodes reset');
  }
}

async function pullChecks(lab: Lab, node: LabNode, images: [string, { username: string; password: string } | undefined][]): Promise<void> {
  const ssh = new SshClient();
  await new Promise<void>((resolve, reject) => {
    ssh.once('ready', resolve).once('error', reject)
      .connect({ host: node.address, username: 'root', privateKey: readFileSync(lab.sshKeyPath), readyTimeout: 30_000 });
  });
  ssh.setNoDelay(true);
  // what criPullCheck uses of dockhand's Connection: a channel to a unix socket on the node
  const connection = {
    openSocket: (socket: string) => new Promise((resolve, reject) => ssh.openssh_forwardOutStreamLocal(socket, (err, channel) => (err ? reject(err) : resolve(channel)))),
  };
  const check: Record<Side, PullCheckModule> = {
    old: (await import(path.join(checkouts.old, 'src/runtimes/containerd/pull-check.ts'))) as PullCheckModule,
    new: (await import(path.join(root, 'src/runtimes/containerd/pull-check.ts'))) as PullCheckModule,
  };
  const pull = {
    wall: figure(`CRI pull check on ${node.name} over SSH (status, pull, remove; http and https registries): wall time`, 'ms'),
    cpu: figure('CRI pull check: this process\'s CPU (ssh2 included)', 'ms'),
  };
  try {
    for (const side of SIDES) for (const [img, auth] of images) await expectPulled(await check[side].criPullCheck(connection, img, auth, false), side);
    for (let round = 1; round <= rounds; round++) {
      for (const side of order(round)) {
        for (const [img, auth] of images) {
          const cpu = ownCpuMs();
          const started = performance.now();
          await expectPulled(await check[side].criPullCheck(connection, img, auth, false), side);
          pull.wall[side].push(performance.now() - started);
          pull.cpu[side].push(ownCpuMs() - cpu);
        }
      }
    }
  } finally {
    ssh.end();
  }
  log('pull checks measured');
}

async function expectPulled(failure: string | null, side: Side): Promise<void> {
  if (failure !== null) throw new Error(`${side} pull check failed: ${failure}`);
}

if (!opts['no-lab']) {
  const given = opts['lab-home'];
  if (given !== undefined) {
    const lab = loadLab(given === 'default' ? DEFAULT_HOME : namedHome(given));
    if (!(await isLabLive(lab))) throw new Error(`the lab of home ${given} is not running`);
    await labFigures(lab);
  } else {
    const home = namedHome('libraries');
    log('starting a lab: one containerd 1.6 node and one containerd 1.7 node');
    const lab = await startLab({ debianNodes: 0, rhelNodes: 0, dockerCeNodes: 0, containerdNodes: 1, containerd17Nodes: 1, kubekeyNodes: 0, kubesprayNodes: 0,
      id: `libs${Date.now().toString(36).slice(-6)}` }, { home });
    try {
      await labFigures(lab);
    } finally {
      await stopLab(lab, { home });
    }
  }
}

// --- report ----------------------------------------------------------------------------------------------

const commit = (dir: string): string => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return opts.baseline;
  }
};
const spread = (xs: number[]): string => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : '');
const lines = [
  `libraries vs the hand-written code of ${opts.baseline}: ${rounds} rounds, medians (min-max); ${cpus().length} CPUs, Node ${process.version}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  '',
  '| what | unit | hand-written (before) | libraries (now) | now / before |',
  '| --- | --- | --- | --- | --- |',
  ...figures.map((f) => {
    const [a, b] = [median(f.old), median(f.new)];
    return `| ${f.what} | ${f.unit} | ${a.toFixed(2)}${spread(f.old)} | ${b.toFixed(2)}${spread(f.new)} | ${(b / a).toFixed(2)}x |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
const file = path.join(import.meta.dirname, 'results', 'libraries.json');
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), baseline: opts.baseline, commit: commit(root), rounds, cpus: cpus().length, node: process.version,
  figures: figures.map((f) => ({ ...f, medianOld: median(f.old), medianNew: median(f.new) })) }, null, 2)}\n`);
process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}\n`);
