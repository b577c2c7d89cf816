import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuCounterCandidates, findCpuCounter, NodeCpuMeter, parseCpuUsageUsec } from '../../../bench/cgroup.ts';
import { idleRates, meanPerNode, scenarioCpuMs } from '../../../bench/node-cpu.ts';

const ID = 'ab'.repeat(32);

// cgroup v2 cpu.stat as the kernel writes it (the nr_* lines only where the cpu controller is enabled)
const CPU_STAT = `usage_usec 1895283263
user_usec 1201000000
system_usec 694283263
nr_periods 0
nr_throttled 0
throttled_usec 0
`;

describe('reading a container\'s CPU counter', () => {
  it('cpu.stat (cgroup v2): usage_usec, microseconds', () => {
    expect(parseCpuUsageUsec({ file: 'cpu.stat', format: 'cpu.stat' }, CPU_STAT)).toBe(1_895_283_263);
  });

  it('cpu.stat with CRLF line ends still reads', () => {
    expect(parseCpuUsageUsec({ file: 'cpu.stat', format: 'cpu.stat' }, CPU_STAT.replaceAll('\n', '\r\n'))).toBe(1_895_283_263);
  });

  it('cpuacct.usage (cgroup v1): nanoseconds, to microseconds, past 2^53 ns', () => {
    expect(parseCpuUsageUsec({ file: 'cpuacct.usage', format: 'cpuacct.usage' }, '1971897923\n')).toBe(1_971_897);
    // 300 days of CPU: more nanoseconds than a double holds exactly
    expect(parseCpuUsageUsec({ file: 'u', format: 'cpuacct.usage' }, '25920000000000123456\n')).toBe(25_920_000_000_000_123);
  });

  it('a file that does not say is an error naming it', () => {
    expect(() => parseCpuUsageUsec({ file: '/x/cpu.stat', format: 'cpu.stat' }, 'user_usec 5\n')).toThrow(/\/x\/cpu\.stat: no usage_usec/);
    expect(() => parseCpuUsageUsec({ file: '/x/cpu.stat', format: 'cpu.stat' }, 'usage_usec -5\n')).toThrow(/\/x\/cpu\.stat/);
    expect(() => parseCpuUsageUsec({ file: '/y/cpuacct.usage', format: 'cpuacct.usage' }, 'max\n')).toThrow(/\/y\/cpuacct\.usage: expected a count of nanoseconds/);
    expect(() => parseCpuUsageUsec({ file: '/y/cpuacct.usage', format: 'cpuacct.usage' }, '')).toThrow(/\/y\/cpuacct\.usage/);
  });

  it('looks where Docker puts a container\'s cgroup: v2 (cgroupfs, systemd drivers), v1 cpuacct, hybrid unified', () => {
    expect(cpuCounterCandidates(ID, '/cg').map((c) => `${c.format} ${c.file}`)).toEqual([
      `cpu.stat /cg/docker/${ID}/cpu.stat`,
      `cpu.stat /cg/system.slice/docker-${ID}.scope/cpu.stat`,
      `cpuacct.usage /cg/cpuacct/docker/${ID}/cpuacct.usage`,
      `cpuacct.usage /cg/cpuacct/system.slice/docker-${ID}.scope/cpuacct.usage`,
      `cpuacct.usage /cg/cpu,cpuacct/docker/${ID}/cpuacct.usage`,
      `cpuacct.usage /cg/cpu,cpuacct/system.slice/docker-${ID}.scope/cpuacct.usage`,
      `cpu.stat /cg/unified/docker/${ID}/cpu.stat`,
      `cpu.stat /cg/unified/system.slice/docker-${ID}.scope/cpu.stat`,
    ]);
  });

  it('takes the first place that exists; none is an error listing every place tried', () => {
    const systemdV2 = `/cg/system.slice/docker-${ID}.scope/cpu.stat`;
    const hybridV1 = `/cg/cpuacct/docker/${ID}/cpuacct.usage`;
    const hybridV2 = `/cg/unified/docker/${ID}/cpu.stat`;
    expect(findCpuCounter(ID, '/cg', (f) => f === systemdV2 || f === hybridV1)).toEqual({ file: systemdV2, format: 'cpu.stat' });
    expect(findCpuCounter(ID, '/cg', (f) => f === hybridV2 || f === hybridV1)).toEqual({ file: hybridV1, format: 'cpuacct.usage' });
    expect(() => findCpuCounter(ID, '/cg', () => false)).toThrow(/no cgroup CPU counter for container ababababab.*\n.*\/cg\/docker\//s);
  });
});

describe('NodeCpuMeter: every node\'s counter at once', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reads each node from its own place and format', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'bench-cgroup-'));
    const put = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(root!, rel)), { recursive: true });
      writeFileSync(path.join(root!, rel), text);
    };
    put('cpuacct/docker/aaa/cpuacct.usage', '5000000\n');
    put('system.slice/docker-bbb.scope/cpu.stat', 'usage_usec 7000\nuser_usec 1\n');
    const meter = new NodeCpuMeter([{ name: 'deb1', containerId: 'aaa' }, { name: 'ce1', containerId: 'bbb' }], root);
    expect(meter.read()).toEqual({ deb1: 5000, ce1: 7000 });
    expect(meter.formats.sort()).toEqual(['cpu.stat', 'cpuacct.usage']);
    // a quiet node's idle rate: nothing changed over the window
    expect(await meter.idle(20)).toEqual({ deb1: 0, ce1: 0 });
  });

  it('refuses a node without a counter before anything is measured', () => {
    root = mkdtempSync(path.join(tmpdir(), 'bench-cgroup-'));
    expect(() => new NodeCpuMeter([{ name: 'deb1', containerId: 'zzz' }], root)).toThrow(/container zzz/);
  });
});

describe('node CPU of a scenario, idle subtracted', () => {
  it('idle rate: CPU ms per wall second of each node', () => {
    expect(idleRates({ a: 1_000_000, b: 0 }, { a: 1_020_000, b: 5_000 }, 5000)).toEqual({ a: 4, b: 1 });
  });

  it('subtracts each node\'s own idle rate over the run\'s time', () => {
    // a: 140 ms in 2 s with 4 ms/s idle -> 132 ms; b: 60 ms with 1 ms/s -> 58 ms
    expect(scenarioCpuMs({ a: 0, b: 100 }, { a: 140_000, b: 60_100 }, 2000, { a: 4, b: 1 })).toEqual({ a: 132, b: 58 });
  });

  it('keeps a slightly negative figure (noise) rather than biasing the mean up', () => {
    expect(scenarioCpuMs({ a: 0 }, { a: 1000 }, 1000, { a: 2 })).toEqual({ a: -1 });
  });

  it('a counter that went back, a node without a reading or an idle rate: errors naming the node', () => {
    expect(() => scenarioCpuMs({ a: 10 }, { a: 5 }, 1000, { a: 0 })).toThrow(/node a: the CPU counter went back/);
    expect(() => scenarioCpuMs({ a: 1 }, {}, 1000, { a: 0 })).toThrow(/no CPU reading of node a/);
    expect(() => scenarioCpuMs({ a: 1 }, { a: 2 }, 1000, {})).toThrow(/no idle rate of node a/);
    expect(() => idleRates({ a: 1 }, { a: 2 }, 0)).toThrow(/idle window/);
  });

  it('the work done is what is left once idle is taken out, whatever the rates and times', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ start: fc.nat(1e12), idleUsPerMs: fc.nat(2000), workUs: fc.nat(1e9) }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 1, max: 600_000 }),
      (nodes, windowMs, runMs) => {
        const names = nodes.map((_, i) => `n${i}`);
        const idleBefore = Object.fromEntries(nodes.map((n, i) => [names[i], n.start]));
        const idleAfter = Object.fromEntries(nodes.map((n, i) => [names[i], n.start + n.idleUsPerMs * windowMs]));
        const rates = idleRates(idleBefore, idleAfter, windowMs);
        const before = idleAfter;
        const after = Object.fromEntries(nodes.map((n, i) => [names[i], idleAfter[names[i]!]! + n.idleUsPerMs * runMs + n.workUs]));
        const cpu = scenarioCpuMs(before, after, runMs, rates);
        nodes.forEach((n, i) => expect(cpu[names[i]!]).toBeCloseTo(n.workUs / 1000, 3));
      }));
  });

  it('mean per node, of all nodes or of those selected', () => {
    const cpu = { deb1: 100, deb2: 50, ctrd1: 30 };
    expect(meanPerNode(cpu)).toBe(60);
    expect(meanPerNode(cpu, (n) => n.startsWith('deb'))).toBe(75);
    expect(meanPerNode(cpu, () => false)).toBeNaN();
  });
});
