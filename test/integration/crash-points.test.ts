// The crash-point matrix: the node transaction killed (SIGKILL, as a crash would) at each of its failpoints
// in turn, for each runtime, on real lab nodes. The list of points is read from worker.sh itself, so a new
// step cannot go untested. After each kill, the next run recovers: every managed file is byte-for-byte
// the old or the new content (the old where the change was refused), the runtime is active, no temporary
// file is left, and the report says what happened.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { workerFailpoints } from '../support/failpoints.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const dir = scratchDir('crash-points');
const knownHosts = join(dir, 'known_hosts');
const { http, https } = lab.registries;

type Runtime = 'docker' | 'containerd';
type Scenario = 'good' | 'refused';

interface Case {
  readonly runtime: Runtime;
  readonly scenario: Scenario;
  /** What the failpoint file holds: a point, or a point and its detail. */
  readonly point: string;
}

/** The handlers each scenario runs (or starts), in order. */
const HANDLERS: Record<Runtime, readonly string[]> = {
  docker: ['update-trust', 'daemon-reload', 'restart-docker'],
  containerd: ['update-trust', 'restart-containerd'],
};

/** Points on the rollback path: reached only where the runtime refuses the change. */
const ROLLBACK_POINTS = new Set(['rollback-begun', 'restored', 'rolled-back']);

function matrix(runtime: Runtime): Case[] {
  return workerFailpoints().flatMap((fp): Case[] => {
    const scenario: Scenario = ROLLBACK_POINTS.has(fp.name) ? 'refused' : 'good';
    if (fp.detailed && fp.name.startsWith('handler-')) return HANDLERS[runtime].map((h) => ({ runtime, scenario, point: `${fp.name} ${h}` }));
    return [{ runtime, scenario, point: fp.name }];
  });
}

const NODES: Record<Runtime, LabNode[]> = {
  docker: lab.nodes.filter((n) => n.variant === 'debian' || n.variant === 'rhel'),
  containerd: lab.nodes.filter((n) => n.variant === 'ctrd16' || n.variant === 'ctrd17' || n.variant === 'kubekey'),
};

const book = join(dir, 'registries.yml');
writeFileSync(
  book,
  `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\n  - host: ${https.host}\n    ip: ${https.address}\n    ca: ${https.caCertPath}\nrestart: always\n`,
);

const sh = (node: LabNode, script: string) => nodeExec(node, ['sh', '-c', script]);

async function must(node: LabNode, script: string): Promise<string> {
  const result = await sh(node, script);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

/** Runtimes that refuse the change: Docker with the http registry in its options, containerd with config_path set. */
const REFUSE: Record<Runtime, string> = {
  docker: `mkdir -p /etc/systemd/system/docker.service.d && printf '%s\\n' '[Service]' "ExecStartPre=/bin/sh -c 'case \\"\\$\\$DOCKER_OPTS\\" in *${http.host}*) exit 1;; esac'" > /etc/systemd/system/docker.service.d/00-refuse.conf && systemctl daemon-reload`,
  containerd: `mkdir -p /etc/systemd/system/containerd.service.d && printf '%s\\n' '[Service]' "ExecStartPre=/bin/sh -c '! grep -q \\"config_path = .*certs.d\\" /etc/containerd/config.toml'" > /etc/systemd/system/containerd.service.d/00-refuse.conf && systemctl daemon-reload`,
};

/** Every file dockhand may touch, by content and mode; and any temporary file it may have left. */
const SNAPSHOT = `for f in $(find /etc/hosts /etc/docker /etc/systemd/system/docker.service.d /etc/containerd /usr/local/share/ca-certificates /etc/pki/ca-trust/source/anchors -type f 2>/dev/null | sort); do
  printf '%s %s %s\\n' "$(sha256sum < "$f" | cut -c1-16)" "$(stat -c %a "$f")" "$f"
done`;
const LEFTOVERS = 'find /etc /usr/local/share/ca-certificates -name ".dockhand.*" 2>/dev/null';

const ACTIVE: Record<Runtime, string> = {
  docker: 'systemctl is-active --quiet docker && docker info >/dev/null 2>&1 && echo up',
  containerd: "systemctl is-active --quiet containerd && ctr plugins ls | grep -q ' cri .* ok' && echo up",
};

interface HostReport {
  name: string;
  status: string;
  error: string | null;
  recovered: { run_id: string; outcome: string; detail: string | null } | null;
}

function hosts(run: CliRun): HostReport[] {
  try {
    return (JSON.parse(run.stdout) as { hosts: HostReport[] }).hosts;
  } catch {
    throw new Error(`no JSON report: exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`);
  }
}

/** Whether the journal shows `begin` before the point: a begun transaction is recovered by the next run. */
const BEFORE_BEGIN = new Set(['locked', 'backed-up']);

/** One round: each node killed at its own point, then recovered, then converged (one dockhand run for each step). */
async function round(cases: readonly { node: LabNode; test: Case }[]): Promise<string[]> {
  const nodes = cases.map((c) => c.node);
  await resetNodes(nodes);
  await Promise.all(cases.filter((c) => c.test.scenario === 'refused').map((c) => must(c.node, REFUSE[c.test.runtime])));
  const old = await Promise.all(nodes.map((n) => must(n, SNAPSHOT)));
  await Promise.all(cases.map((c) => must(c.node, `mkdir -p /var/lib/dockhand && printf '%s\\n' '${c.test.point}' > /var/lib/dockhand/failpoint`)));
  const applyOn = (on: readonly LabNode[], name: string) =>
    dockhand(['apply', book, '-i', writeInventory(dir, lab, on, name), '--known-hosts', knownHosts, '--json', '--forks', '20']);

  const killed = await applyOn(nodes, 'round.ini');
  const problems: string[] = [];
  const armed = await Promise.all(cases.map((c) => sh(c.node, 'test -e /var/lib/dockhand/failpoint && echo armed')));
  for (const [i, c] of cases.entries()) {
    if (armed[i]!.stdout.includes('armed')) problems.push(`${c.node.name} ${c.test.runtime}/${c.test.scenario} "${c.test.point}": the point was never reached (${JSON.stringify(hosts(killed).find((h) => h.name === c.node.name))})`);
  }
  // the kill leaves a transaction without an outcome (or, past it, a finished one): the next run finishes it
  const recovered = hosts(await applyOn(nodes, 'round.ini'));
  const after = await Promise.all(nodes.map((n) => must(n, SNAPSHOT)));
  const active = await Promise.all(cases.map((c) => sh(c.node, ACTIVE[c.test.runtime])));
  const left = await Promise.all(nodes.map((n) => sh(n, LEFTOVERS)));
  const good: number[] = [];
  for (const [i, c] of cases.entries()) {
    const where = `${c.node.name} ${c.test.runtime}/${c.test.scenario} killed at "${c.test.point}"`;
    const host = recovered.find((h) => h.name === c.node.name)!;
    if (active[i]!.stdout.trim() !== 'up') problems.push(`${where}: ${c.test.runtime} is not up after the recovery`);
    if (left[i]!.stdout.trim() !== '') problems.push(`${where}: temporary files left: ${left[i]!.stdout.trim()}`);
    const begun = !BEFORE_BEGIN.has(c.test.point) && c.test.point !== 'outcome';
    if (begun && host.recovered === null) problems.push(`${where}: the next run did not say it recovered the transaction: ${JSON.stringify(host)}`);
    if (c.test.scenario === 'refused') {
      if (after[i] !== old[i]) problems.push(`${where}: a refused change must leave the old files, byte for byte:\n${old[i]}\n--- now:\n${after[i]}`);
    } else {
      good.push(i);
    }
  }
  if (good.length === 0) return problems;
  // the new content is what a clean run leaves: converge the nodes of the good scenario (each at its own
  // point, so a node's recovery cannot be told from another's), and compare
  const converged = hosts(await applyOn(good.map((i) => nodes[i]!), 'converge.ini'));
  const fresh = await Promise.all(good.map((i) => must(nodes[i]!, SNAPSHOT)));
  for (const [k, i] of good.entries()) {
    const c = cases[i]!;
    const where = `${c.node.name} ${c.test.runtime}/${c.test.scenario} killed at "${c.test.point}"`;
    const host = converged.find((h) => h.name === c.node.name)!;
    if (host.status !== 'ok' && host.status !== 'changed') problems.push(`${where}: the node did not converge afterwards: ${JSON.stringify(host)}`);
    if (after[i] !== old[i] && after[i] !== fresh[k]) problems.push(`${where}: after the recovery the files are neither the old nor the new ones:\nold:\n${old[i]}\nnew:\n${fresh[k]}\nnow:\n${after[i]}`);
  }
  return problems;
}

/** Runs every case of both runtimes' matrices in lockstep rounds: each round takes as many cases of each runtime as it has nodes. */
async function runMatrices(): Promise<{ killed: Record<Runtime, number>; problems: string[] }> {
  const queues: Record<Runtime, Case[]> = { docker: matrix('docker'), containerd: matrix('containerd') };
  const killed: Record<Runtime, number> = { docker: 0, containerd: 0 };
  const problems: string[] = [];
  while (queues.docker.length + queues.containerd.length > 0) {
    const batch = (['docker', 'containerd'] as const).flatMap((runtime) => {
      const taken = queues[runtime].splice(0, NODES[runtime].length);
      killed[runtime] += taken.length;
      return taken.map((test, i) => ({ node: NODES[runtime][i]!, test }));
    });
    problems.push(...(await round(batch)));
  }
  return { killed, problems };
}

describe('the node transaction killed at each of its failpoints', () => {
  it('recovers to the old or the new files, runtime up, nothing left behind, for Docker and containerd', async () => {
    expect(NODES.docker.length).toBeGreaterThan(0);
    expect(NODES.containerd.length).toBeGreaterThan(0);
    const { killed, problems } = await runMatrices();
    process.stdout.write(`crash points: killed ${killed.docker} Docker transactions and ${killed.containerd} containerd transactions at ${workerFailpoints().length} failpoints\n`);
    expect(problems).toEqual([]);
  }, 1_500_000);
});
