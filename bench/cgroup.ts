// The CPU a lab node (a container) has used, from the cgroup accounting of this machine: the container's
// cgroup holds every process of the node (systemd, sshd and the sessions, dockerd or containerd, whatever a
// run starts), and its counter includes its child cgroups.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { idleRates, type CpuReading, type IdleRates } from './node-cpu.ts';

/** Where a counter lives and how it counts. */
export interface CpuCounter {
  file: string;
  /** cgroup v2 `cpu.stat` (usage_usec) or cgroup v1 `cpuacct.usage` (nanoseconds) */
  format: 'cpu.stat' | 'cpuacct.usage';
}

/**
 * The places Docker puts a container's cgroup, in the order they are tried: cgroup v2 (the cgroupfs driver's
 * `docker/<id>`, the systemd driver's `system.slice/docker-<id>.scope`), cgroup v1's cpuacct controller
 * (alone or mounted with cpu), then the v2 hierarchy of a hybrid machine (`unified/`).
 */
export function cpuCounterCandidates(containerId: string, root = '/sys/fs/cgroup'): CpuCounter[] {
  const dirs = [`docker/${containerId}`, `system.slice/docker-${containerId}.scope`];
  const at = (sub: string, file: string, format: CpuCounter['format']): CpuCounter[] =>
    dirs.map((d) => ({ file: path.join(root, sub, d, file), format }));
  return [
    ...at('', 'cpu.stat', 'cpu.stat'),
    ...at('cpuacct', 'cpuacct.usage', 'cpuacct.usage'),
    ...at('cpu,cpuacct', 'cpuacct.usage', 'cpuacct.usage'),
    ...at('unified', 'cpu.stat', 'cpu.stat'),
  ];
}

/** The first counter of a container that exists on this machine; throws naming the places tried. */
export function findCpuCounter(containerId: string, root = '/sys/fs/cgroup', exists: (file: string) => boolean = existsSync): CpuCounter {
  const candidates = cpuCounterCandidates(containerId, root);
  const found = candidates.find((c) => exists(c.file));
  if (found === undefined) {
    throw new Error(`no cgroup CPU counter for container ${containerId.slice(0, 12)}; tried:\n${candidates.map((c) => `  ${c.file}`).join('\n')}`);
  }
  return found;
}

/** Microseconds of CPU in a counter's text; throws naming the file when it does not say. */
export function parseCpuUsageUsec(counter: CpuCounter, text: string): number {
  if (counter.format === 'cpuacct.usage') {
    const t = text.trim();
    if (!/^\d+$/.test(t)) throw new Error(`${counter.file}: expected a count of nanoseconds, got ${JSON.stringify(t.slice(0, 40))}`);
    return Number(BigInt(t) / 1000n);
  }
  const line = text.split('\n').find((l) => l.startsWith('usage_usec '));
  const value = line?.slice('usage_usec '.length).trim() ?? '';
  if (!/^\d+$/.test(value)) throw new Error(`${counter.file}: no usage_usec line with a whole number`);
  return Number(value);
}

export function readCpuUsageUsec(counter: CpuCounter): number {
  return parseCpuUsageUsec(counter, readFileSync(counter.file, 'utf8'));
}

/** Reads every node's counter at once (a few files: far quicker than anything measured). */
export class NodeCpuMeter {
  private readonly counters: readonly { node: string; counter: CpuCounter }[];

  constructor(nodes: readonly { name: string; containerId: string }[], root = '/sys/fs/cgroup') {
    this.counters = nodes.map((n) => ({ node: n.name, counter: findCpuCounter(n.containerId, root) }));
  }

  /** Which accounting is read, for the report (e.g. `cpuacct.usage`). */
  get formats(): string[] {
    return [...new Set(this.counters.map((c) => c.counter.format))];
  }

  read(): CpuReading {
    return Object.fromEntries(this.counters.map((c) => [c.node, readCpuUsageUsec(c.counter)]));
  }

  /** Each node's idle rate over a window of `ms` in which nothing runs on the nodes. */
  async idle(ms: number): Promise<IdleRates> {
    const before = this.read();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = this.read();
    return idleRates(before, after, performance.now() - started);
  }
}
