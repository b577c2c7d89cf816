// Reports of a run against real nodes, read by consumers dockhand did not write: JUnit by Debian's
// python3-junitparser, metrics scraped through a real prometheus-node-exporter; the run lock between two
// real runs; progress on a real pseudo-terminal; pull checks and CA diffs as an operator sees them.
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { dockhand, dockhandCommand, REPO, startDockhand } from '../support/cli.ts';
import { scratchDir, writeInventory, writeRegistryPlaybook } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

const lab = loadLab();
const nodes = lab.nodes.filter((n) => n.variant === 'debian').slice(-3);
const [steady, drifting, third] = nodes as [LabNode, LabNode, LabNode];
const dir = scratchDir('reports');
const inventory = writeInventory(dir, lab, nodes);
const image = `${lab.registries.http.host}/library/tiny:1`;
const playbook = writeRegistryPlaybook(dir, lab);
writeFileSync(playbook, readFileSync(playbook, 'utf8').replace(/(insecure: true\n)/, `$1      verify: {image: ${image}}\n`));
const textfiles = join(dir, 'textfile');
mkdirSync(textfiles);
const state = join(dir, 'state');
const common = ['-i', inventory, '--known-hosts', join(dir, 'known_hosts')];
const env = { DOCKHAND_STATE_DIR: state };

interface Case { classname: string; name: string; result: 'passed' | 'failure' | 'skipped' | 'error'; message: string | null }

/** Read a JUnit file with junitparser (Debian's python3-junitparser): each case and its result. */
async function junitCases(file: string): Promise<Case[]> {
  const script = `
import json, sys
from junitparser import JUnitXml, Failure, Skipped, Error
cases = []
for suite in JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        kinds = [type(r).__name__.lower() for r in case.result]
        message = case.result[0].message if case.result else None
        cases.append({"classname": case.classname, "name": case.name, "result": kinds[0] if kinds else "passed", "message": message})
print(json.dumps(cases))
`;
  const result = await execa('/usr/bin/python3', ['-c', script, file]);
  return JSON.parse(result.stdout) as Case[];
}

/** node_exporter with only the textfile collector, on a free loopback port; its /metrics text. */
async function scrape(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const exporter = execa('prometheus-node-exporter', [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    '--collector.textfile',
    `--collector.textfile.directory=${textfiles}`,
  ], { reject: false });
  try {
    let text: string | undefined;
    const answered = await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      if (response?.ok) text = await response.text();
      return text !== undefined;
    }, 30_000, 100);
    if (answered && text !== undefined) return text;
    throw new Error(`node_exporter did not answer: ${String((await exporter.catch((e: unknown) => e)) ?? '')}`);
  } finally {
    exporter.kill('SIGTERM');
    await exporter;
  }
}

describe('reports of a check with one drifted node', () => {
  beforeAll(async () => {
    await resetNodes(nodes);
    const apply = await dockhand(['apply', playbook, ...common, '--json'], env);
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    await nodeExec(drifting, ['sh', '-c', `rm /etc/docker/certs.d/${lab.registries.https.host}/ca.crt`]);
  }, 240_000);
  afterAll(() => resetNodes(nodes), 120_000);

  it('JUnit: junitparser reads the drifted node as a failure of the https registry, every other case passed', async () => {
    const file = join(dir, 'junit.xml');
    const run = await dockhand(['check', playbook, ...common, '--junit', file], env);
    expect(run.exitCode, run.stderr).toBe(3);
    const cases = await junitCases(file);
    expect(cases.length).toBe(nodes.length * 3);
    for (const c of cases) {
      const failing = c.classname === drifting.name && c.name === `registry ${lab.registries.https.host}`;
      expect(c.result, `${c.classname} ${c.name}`).toBe(failing ? 'failure' : 'passed');
    }
    expect(cases.find((c) => c.result === 'failure')!.message).toContain(`certs.d/${lab.registries.https.host}/ca.crt`);
  });

  it('metrics: node_exporter serves the drifted node\'s drift series at 1, with no scrape error', async () => {
    const file = join(textfiles, 'dockhand-lab.prom');
    const run = await dockhand(['check', playbook, ...common, '--metrics', file, '--log-dir', join(dir, 'runs')], env);
    expect(run.exitCode, run.stderr).toBe(3);
    const metrics = await scrape();
    expect(metrics).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(metrics).toContain(`dockhand_node_status{node="${drifting.name}",schedule="dockhand-lab",status="drift"} 1`);
    expect(metrics).toContain(`dockhand_node_status{node="${steady.name}",schedule="dockhand-lab",status="ok"} 1`);
    expect(metrics).toContain(`dockhand_node_drift_resources{node="${drifting.name}",schedule="dockhand-lab"} 1`);
    expect(metrics).toMatch(/^dockhand_run_exit_code\{schedule="dockhand-lab"\} 3$/m);
    // the history holds the same run: which node drifted, and what changed
    const shown = await dockhand(['history', 'last', '--log-dir', join(dir, 'runs')]);
    expect(shown.stdout).toMatch(new RegExp(`^${drifting.name} drift`, 'm'));
    expect(shown.stdout).toContain(`would create certs.d /etc/docker/certs.d/${lab.registries.https.host}/ca.crt`);
  });

  it('--diff shows the missing CA as subject, fingerprint and expiry, not PEM', async () => {
    const run = await dockhand(['check', playbook, ...common, '--diff', '--limit', drifting.name], env);
    expect(run.stdout).toMatch(/\+certificate subject="[^"]+" sha256=([0-9A-F]{2}:){31}[0-9A-F]{2} expires=\d{4}-/);
    expect(run.stdout).not.toContain('BEGIN CERTIFICATE');
  });

  it('progress on a terminal shows each node\'s own status', async () => {
    const command = [...dockhandCommand(), 'check', playbook, ...common].join(' ');
    const result = await execa('script', ['-qec', command, '/dev/null'], { cwd: REPO, reject: false, env: { ...env, NO_COLOR: '1', CI: '' }, stdin: 'ignore' });
    const screen = String(result.stdout).replace(/\u001b\[K/g, '');
    expect(screen).toMatch(new RegExp(`\\] ${drifting.name} drift \\(`));
    expect(screen).toMatch(new RegExp(`\\] ${steady.name} ok \\(`));
  });

  it('apply lists the passed pull check as verified, in text and JSON', async () => {
    const text = await dockhand(['apply', playbook, ...common, '--limit', third.name], env);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain(`  verified: ${image}`);
    const json = await dockhand(['apply', playbook, ...common, '--limit', third.name, '--json'], env);
    expect((JSON.parse(json.stdout) as { hosts: { verified: string[] }[] }).hosts[0]!.verified).toEqual([image]);
  });
});

describe('no overlap', () => {
  it('a second run while the first holds the lock exits at once with 75, says so, and counts it in the metrics', async () => {
    // a "node" that accepts and never speaks SSH keeps the first run going until its connect timeout
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slowInventory = join(dir, 'slow.ini');
    writeFileSync(slowInventory, `${readFileSync(inventory, 'utf8')}\n[slow]\nsilent ansible_host=127.0.0.1 ansible_port=${(silent.address() as AddressInfo).port}\n[k8s-cluster:children]\nslow\n`);
    const lockState = join(dir, 'lock-state');
    const metrics = join(textfiles, 'dockhand-overlap.prom');
    const args = ['check', playbook, '-i', slowInventory, '--known-hosts', join(dir, 'known_hosts'), '--connect-timeout', '5', '--metrics', metrics];
    let firstDone = false;
    const first: ResultPromise = startDockhand(args, { reject: false, env: { DOCKHAND_STATE_DIR: lockState } });
    void first.finally(() => (firstDone = true));
    try {
      // the first run has the lock once it has written who holds it
      await waitFor(() => readdirSafe(join(lockState, 'locks')).some((f) => f.endsWith('.lock.json')), 30_000, 50);
      const second = await dockhand(args, { DOCKHAND_STATE_DIR: lockState });
      expect(firstDone, 'the second run did not wait for the first').toBe(false);
      expect(second.exitCode).toBe(75);
      expect(second.stderr).toMatch(/the previous run of .* is still going \(pid \d+/);
      expect(second.stdout).toBe('');
      expect(readFileSync(metrics, 'utf8')).toMatch(/^dockhand_overlapping_runs_total\{schedule="dockhand-overlap"\} 1$/m);
    } finally {
      const result = await first;
      for (const socket of held) socket.destroy();
      silent.close();
      expect(result.exitCode).toBe(4);
    }
    // the first run's own file keeps the count; the lock is free again
    expect(readFileSync(metrics, 'utf8')).toMatch(/^dockhand_overlapping_runs_total\{schedule="dockhand-overlap"\} 1$/m);
    const third = await dockhand([...args, '--limit', nodes[0]!.name], { DOCKHAND_STATE_DIR: lockState });
    expect(third.exitCode).not.toBe(75);
  });
});

describe('issue 20, items 2 and 3: a schedule\'s reports across a --limit\'ed --quiet repair', () => {
  // the nodes as the describe above left them (reset), or as they are: apply converges them either way
  beforeAll(async () => {
    const apply = await dockhand(['apply', playbook, ...common, '--json'], env);
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    await nodeExec(drifting, ['sh', '-c', `rm /etc/docker/certs.d/${lab.registries.https.host}/ca.crt`]);
  }, 600_000);
  afterAll(() => resetNodes(nodes), 600_000);

  it('the repair prints one line for the node it changed; the metrics and the JUnit file keep every node of the schedule', async () => {
    const metrics = join(textfiles, 'dockhand-limited.prom');
    const junit = join(dir, 'limited.xml');
    const reports = ['--metrics', metrics, '--junit', junit];
    const check = await dockhand(['check', playbook, ...common, '--quiet', ...reports], env);
    expect(check.exitCode, check.stderr).toBe(3);

    const repair = await dockhand(['apply', playbook, ...common, '--quiet', '--limit', drifting.name, ...reports], env);
    expect(repair.exitCode, repair.stderr).toBe(0);
    expect(repair.stdout).toBe(`${drifting.name} changed: create certs.d /etc/docker/certs.d/${lab.registries.https.host}/ca.crt`); // one line (execa drops its newline)
    expect(repair.stderr).toBe('');

    const scraped = await scrape();
    expect(scraped).toMatch(/^node_textfile_scrape_error 0$/m);
    const status = (node: LabNode, value: string) => `dockhand_node_status{node="${node.name}",schedule="dockhand-limited",status="${value}"} 1`;
    expect(scraped).toContain(status(drifting, 'changed'));
    expect(scraped).toContain(status(steady, 'ok'));
    expect(scraped).toContain(status(third, 'ok'));
    const lastRun = (node: LabNode) => Number(new RegExp(`^dockhand_node_last_run_timestamp_seconds\\{node="${node.name}",schedule="dockhand-limited"\\} (\\S+)$`, 'm').exec(scraped)?.[1]);
    expect(lastRun(drifting)).toBeGreaterThan(lastRun(steady));

    const cases = await junitCases(junit);
    expect(new Set(cases.map((c) => c.classname))).toEqual(new Set(nodes.map((n) => n.name)));
    expect(cases.every((c) => c.result === 'passed'), JSON.stringify(cases)).toBe(true);

    // a clean run says nothing at all
    const clean = await dockhand(['apply', playbook, ...common, '--quiet', ...reports], env);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
  });
});

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
