// The CPU a scenario spent inside the nodes: each node's cgroup counter read before and after, minus what the
// same node spends idle over the same time (its idle rate, sampled in a window of its own just before).

/** One reading of every node's counter: node name to microseconds of CPU. */
export type CpuReading = Readonly<Record<string, number>>;

/** Each node's idle rate: milliseconds of CPU per second of wall time. */
export type IdleRates = Readonly<Record<string, number>>;

function delta(before: CpuReading, after: CpuReading, node: string): number {
  const b = before[node];
  const a = after[node];
  if (b === undefined || a === undefined) throw new Error(`no CPU reading of node ${node}`);
  if (a < b) throw new Error(`node ${node}: the CPU counter went back (${b} to ${a} µs): was its container restarted?`);
  return a - b;
}

/** The idle rate of every node of `before`, from two readings `wallMs` apart with nothing run on the nodes. */
export function idleRates(before: CpuReading, after: CpuReading, wallMs: number): IdleRates {
  if (!(wallMs > 0)) throw new Error(`an idle window must last some time, got ${wallMs} ms`);
  return Object.fromEntries(Object.keys(before).map((node) => [node, delta(before, after, node) / wallMs]));
}

/**
 * Each node's CPU in a scenario that lasted `wallMs`, milliseconds: its counter's increase minus its idle
 * rate over the same time. Noise can make a node's figure slightly negative; it is kept as measured (a
 * clamp would bias the mean upwards).
 */
export function scenarioCpuMs(before: CpuReading, after: CpuReading, wallMs: number, idle: IdleRates): Record<string, number> {
  return Object.fromEntries(Object.keys(before).map((node) => {
    const rate = idle[node];
    if (rate === undefined) throw new Error(`no idle rate of node ${node}`);
    return [node, delta(before, after, node) / 1000 - (rate * wallMs) / 1000];
  }));
}

/** The mean over the nodes `keep` selects (all by default): the CPU of those nodes together, per node. */
export function meanPerNode(cpuMs: Readonly<Record<string, number>>, keep: (node: string) => boolean = () => true): number {
  const xs = Object.entries(cpuMs).filter(([node]) => keep(node)).map(([, ms]) => ms);
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
