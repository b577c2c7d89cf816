// The controller's own cost at fleet size: `dockhand check` against thousands of light SSH endpoints, where
// the node side costs next to nothing, so what is measured is dockhand's process (SSH handshakes, the
// scripts, parsing, planning, the report) and not the nodes'.
//
//   npm run bench:controller                                   # 1,000 and 10,000 endpoints, --forks 50
//   npm run bench:controller -- --sizes 500,2000 --forks 100
//   npm run bench:controller -- --sizes 500,3000 --baseline 87f7c22   # against that commit, same sitting
//
// One container (the lab's Debian image) runs one sshd; iptables sends ports 20000 and up to it, so each
// port is an endpoint of its own to dockhand (its own connection, host-key entry and report line). sshd's
// ForceCommand answers every session with the state a converged Debian Docker node reports
// (bench/fixtures/endpoint/state.out, taken from a lab node: see bench/README.md), so every endpoint is
// checked in full and found ok. Per size: wall time, dockhand's CPU (user + system), its peak RSS; then the
// marginal CPU and memory per endpoint between the smallest and the largest size, and the single
// executable's start-up CPU when dist/dockhand exists (npm run build:sea). With --baseline REV, each size is
// measured for that commit too (an export of it, this checkout's node_modules), the two taking turns, and the
// table gives this checkout's figures against it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureImages } from '../test/lab/images.ts';
import { repoRoot } from '../test/lab/util.ts';
import { expectDockhand, runDockhand } from './dockhand.ts';
import { childCpuMs, median, runTimed } from './proc.ts';

const FIRST_PORT = 20000;
const CONTAINER = 'dockhand-bench-endpoints';
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'endpoint');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    forks: { type: 'string', default: '50' },
    baseline: { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map((s) => Number(s)).sort((a, b) => a - b);
const forks = Number(values.forks);
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 40000) || !Number.isInteger(forks) || forks < 1) {
  throw new Error('--sizes takes endpoint counts from 1 to 40000, --forks a positive integer');
}

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

function log(message: string): void {
  process.stderr.write(`[controller] ${message}\n`);
}

async function startEndpoints(dir: string): Promise<string> {
  const image = (await ensureImages(['debian'])).nodes.debian!;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'id_ed25519')]);
  try {
    docker('rm', '-f', CONTAINER);
  } catch {
    /* none left from an earlier run */
  }
  const last = FIRST_PORT + sizes.at(-1)! - 1;
  const start = [
    'set -e',
    'ssh-keygen -A >/dev/null',
    'mkdir -p /run/sshd /root/.ssh && cp /bench/id_ed25519.pub /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
    `iptables -t nat -A PREROUTING -p tcp --dport ${FIRST_PORT}:${last} -j REDIRECT --to-ports 22`,
    'exec /usr/sbin/sshd -D -e -o LogLevel=ERROR -o UsePAM=no -o PrintMotd=no -o UseDNS=no -o MaxStartups=2000 ' +
      "-o PermitRootLogin=prohibit-password -o 'ForceCommand=cat /bench/state.out'",
  ].join('\n');
  docker('run', '-d', '--name', CONTAINER, '--cap-add', 'NET_ADMIN', '--entrypoint', '/bin/sh',
    '-v', `${path.join(dir, 'id_ed25519.pub')}:/bench/id_ed25519.pub:ro`,
    '-v', `${path.join(FIXTURE, 'state.out')}:/bench/state.out:ro`,
    image, '-c', start);
  const address = docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', CONTAINER);
  // sshd's start can take many seconds on a loaded machine (a lab booting beside it): wait up to a minute,
  // and stop here rather than measure a run against endpoints nobody answers
  for (let i = 0; ; i += 1) {
    if (await reachable(address)) return address;
    const logs = docker('logs', CONTAINER);
    if (logs.includes('error') || i >= 300) throw new Error(`the endpoints' sshd did not start:\n${logs}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function reachable(address: string): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ host: address, port: FIRST_PORT }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function writeInventory(dir: string, address: string, count: number): string {
  const lines = ['[k8s-cluster]'];
  for (let i = 0; i < count; i += 1) lines.push(`e${i + 1} ansible_host=${address} ansible_port=${FIRST_PORT + i}`);
  lines.push('', '[all:vars]', 'ansible_user=root', `ansible_ssh_private_key_file=${path.join(dir, 'id_ed25519')}`, '');
  const file = path.join(dir, `endpoints-${count}.ini`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

interface SizeResult {
  endpoints: number;
  /** endpoints found ok (the others are listed on stderr) */
  answered: number;
  wallS: number;
  cpuMs: number;
  cpuMsPerEndpoint: number;
  maxRssMiB: number;
}

async function measure(dir: string, address: string, count: number, root?: string): Promise<SizeResult> {
  const inventory = writeInventory(dir, address, count);
  const knownHosts = path.join(dir, `known_hosts-${count}`);
  const playbook = path.join(FIXTURE, 'playbook.yml');
  const args = ['check', playbook, '-i', inventory, '--known-hosts', knownHosts, '--json', '--forks', String(forks)];
  // a first run records the host keys (accept-new); the measured one checks them, as a scheduled run does
  if (!existsSync(knownHosts)) await runDockhand(args, root);
  const cpuBefore = childCpuMs();
  const run = await runDockhand(args, root);
  const cpuMs = childCpuMs() - cpuBefore;
  // every endpoint must have been read and planned; one sshd serving them all may drop a session under
  // load (reported as failed, with the reason), which is counted, not hidden
  const answered = run.report.hosts.filter((h) => h.status === 'ok').length;
  const failed = run.report.hosts.filter((h) => h.status !== 'ok');
  if (run.report.hosts.length !== count || answered < count * 0.99) expectDockhand(run, `check (${count})`, 0, 'ok', count);
  for (const h of failed) log(`  ${h.name}: ${h.status} ${h.error ?? ''}`);
  const result = { endpoints: count, answered, wallS: run.ms / 1000, cpuMs, cpuMsPerEndpoint: cpuMs / count, maxRssMiB: run.maxRssMiB };
  log(`${root === undefined ? '' : 'baseline: '}${count} endpoints (${answered} ok): ${result.wallS.toFixed(1)} s, CPU ${cpuMs.toFixed(0)} ms (${result.cpuMsPerEndpoint.toFixed(2)} ms each), peak RSS ${run.maxRssMiB.toFixed(1)} MiB`);
  return result;
}

async function startupCpuMs(): Promise<number | null> {
  const sea = path.join(repoRoot, 'dist', 'dockhand');
  if (!existsSync(sea)) return null;
  const runs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const before = childCpuMs();
    const r = await runTimed(sea, ['--version']);
    if (r.exitCode !== 0) throw new Error(`${sea} --version: exit ${r.exitCode}`);
    runs.push(childCpuMs() - before);
  }
  return median(runs);
}

/** An export of commit `rev` beside the checkout's node_modules, to run as the baseline. */
function exportBaseline(rev: string, into: string): string {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const root = path.join(into, `baseline-${commit.slice(0, 12)}`);
  mkdirSync(root);
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "$1"`, 'sh', root], { cwd: repoRoot });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-controller-'));
try {
  const address = await startEndpoints(dir);
  log(`endpoints on ${address}:${FIRST_PORT}..${FIRST_PORT + sizes.at(-1)! - 1}`);
  const baselineRoot = values.baseline === undefined ? undefined : exportBaseline(values.baseline, dir);
  const results: SizeResult[] = [];
  const baseline: SizeResult[] = [];
  for (const [index, size] of sizes.entries()) {
    // the two take turns: the baseline first at every other size
    if (baselineRoot !== undefined && index % 2 === 0) baseline.push(await measure(dir, address, size, baselineRoot));
    results.push(await measure(dir, address, size));
    if (baselineRoot !== undefined && index % 2 === 1) baseline.push(await measure(dir, address, size, baselineRoot));
  }
  const [small, large] = [results[0]!, results.at(-1)!];
  const span = large.endpoints - small.endpoints;
  const marginal = span > 0
    ? { cpuMsPerEndpoint: (large.cpuMs - small.cpuMs) / span, rssMiBPerEndpoint: (large.maxRssMiB - small.maxRssMiB) / span }
    : null;
  const startup = await startupCpuMs();
  const baselineMarginal = baseline.length > 1
    ? { cpuMsPerEndpoint: (baseline.at(-1)!.cpuMs - baseline[0]!.cpuMs) / span, rssMiBPerEndpoint: (baseline.at(-1)!.maxRssMiB - baseline[0]!.maxRssMiB) / span }
    : null;
  const summary = {
    forks, results, marginal, seaStartupCpuMs: startup, date: new Date().toISOString(),
    ...(values.baseline === undefined ? {} : { baseline: { rev: values.baseline, results: baseline, marginal: baselineMarginal } }),
  };
  writeFileSync(path.join(import.meta.dirname, 'results', 'controller.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const rows = results.map((r) => `| ${r.endpoints} (${r.answered} ok) | ${r.wallS.toFixed(1)} s | ${r.cpuMs.toFixed(0)} ms | ${r.cpuMsPerEndpoint.toFixed(2)} ms | ${r.maxRssMiB.toFixed(1)} MiB |`);
  process.stdout.write(['| endpoints | wall | dockhand CPU | per endpoint | peak RSS |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n'));
  if (marginal) process.stdout.write(`marginal per endpoint (${small.endpoints} to ${large.endpoints}): ${marginal.cpuMsPerEndpoint.toFixed(2)} ms CPU, ${(marginal.rssMiBPerEndpoint * 1024).toFixed(1)} KiB RSS\n`);
  if (baseline.length > 0) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    process.stdout.write([`\nagainst ${values.baseline ?? ''}:`, '| endpoints | CPU per endpoint: this / baseline | ratio | peak RSS: this / baseline | ratio |', '| --- | --- | --- | --- | --- |',
      ...results.map((r, i) => {
        const b = baseline[i]!;
        return `| ${r.endpoints} | ${r.cpuMsPerEndpoint.toFixed(2)} / ${b.cpuMsPerEndpoint.toFixed(2)} ms | ${ratio(r.cpuMsPerEndpoint, b.cpuMsPerEndpoint)} | ${r.maxRssMiB.toFixed(1)} / ${b.maxRssMiB.toFixed(1)} MiB | ${ratio(r.maxRssMiB, b.maxRssMiB)} |`;
      }), ''].join('\n'));
    if (marginal && baselineMarginal) process.stdout.write(`baseline marginal per endpoint: ${baselineMarginal.cpuMsPerEndpoint.toFixed(2)} ms CPU, ${(baselineMarginal.rssMiBPerEndpoint * 1024).toFixed(1)} KiB RSS\n`);
  }
  process.stdout.write(startup === null ? 'single executable: none (npm run build:sea builds dist/dockhand)\n' : `single executable start-up (--version, median of 5): ${startup.toFixed(0)} ms CPU\n`);
} finally {
  try {
    docker('rm', '-f', CONTAINER);
  } catch {
    /* already gone */
  }
  rmSync(dir, { recursive: true, force: true });
}
