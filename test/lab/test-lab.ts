// A lab for a test run, shared by the integration global setup and test files that start their own:
//   DOCKHAND_LAB_REUSE=1  reuse the running lab when its lab.json matches live, ready nodes (and keep it)
//   DOCKHAND_LAB_KEEP=1   do not stop the lab after the run
// If the lab cannot start this throws: the tests fail, they are never skipped.
import './env.ts';
import path from 'node:path';
import { DEFAULT_HOME, type LabHome } from './home.ts';
import { isLabLive, loadLab, startLab, stopLab, type Lab } from './lab.ts';
import { containerExec, waitNodeReady } from './node.ts';
import type { LabSpec } from './types.ts';
import { countsOf, fillCounts, ZERO_COUNTS } from './variants.ts';

export interface TestLab {
  lab: Lab;
  reused: boolean;
  /** stops the lab, unless it was reused or DOCKHAND_LAB_KEEP=1 */
  release(): Promise<void>;
}

/** True when the lab has at least as many nodes of each variant as the spec asks for (and the Harbor stand-in when asked). */
export function labMatches(lab: Lab, spec: Partial<LabSpec>): boolean {
  const want = fillCounts(spec, ZERO_COUNTS);
  const have = countsOf(lab.nodes);
  if (spec.harborFront === true && lab.registries.harborFront === undefined) return false;
  // a lab started before the suite's nodes were lean (or by hand without --lean) is not the suite's lab
  if (spec.lean === true && lab.lean !== true) return false;
  return (Object.keys(want) as (keyof typeof want)[]).every((k) => have[k] >= want[k]);
}

async function reusableLab(spec: Partial<LabSpec>, home: LabHome): Promise<Lab | undefined> {
  if (process.env.DOCKHAND_LAB_REUSE !== '1') return undefined;
  let lab: Lab;
  try {
    lab = loadLab(home);
  } catch {
    process.stderr.write(`[lab] DOCKHAND_LAB_REUSE=1 but no ${home.labJsonPath}: starting a new lab\n`);
    return undefined;
  }
  if (!labMatches(lab, spec) || !(await isLabLive(lab))) {
    process.stderr.write(`[lab] DOCKHAND_LAB_REUSE=1 but lab ${lab.id} is not live or too small: starting a new one\n`);
    return undefined;
  }
  // live containers are not enough: sshd and the runtime must answer too (a previous run may have broken
  // one); a node an earlier run left with its runtime down is repaired once, rather than the lab replaced
  const ready = await Promise.all(lab.nodes.map(async (n) => {
    try {
      await waitNodeReady(n, 15_000);
      return true;
    } catch {
      await containerExec(n.containerId, ['sh', '-c', 'systemctl reset-failed; for u in containerd docker k3s; do systemctl is-enabled --quiet $u 2>/dev/null && systemctl restart $u; done; true']);
    }
    return waitNodeReady(n, 30_000).then(() => true, (err: unknown) => {
      process.stderr.write(`[lab] cannot reuse lab ${lab.id}: ${String(err).split('\n')[0]}\n`);
      return false;
    });
  }));
  return ready.every(Boolean) ? lab : undefined;
}

export async function labForTests(spec: Partial<LabSpec>, options: { home?: LabHome } = {}): Promise<TestLab> {
  const home = options.home ?? DEFAULT_HOME;
  const reused = await reusableLab(spec, home);
  if (reused) process.stderr.write(`[lab] reusing lab ${reused.id}\n`);
  const lab = reused ?? (await startLab(spec, { home }));
  return {
    lab,
    reused: reused !== undefined,
    release: async () => {
      if (reused || process.env.DOCKHAND_LAB_KEEP === '1') {
        process.stderr.write(`[lab] leaving lab ${lab.id} running (${home === DEFAULT_HOME ? 'npm run lab:down' : `node test/lab/cli.ts down --home ${path.basename(home.stateDir)}`} stops it)\n`);
        return;
      }
      await stopLab(lab, { home });
    },
  };
}
