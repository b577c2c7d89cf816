// vitest globalSetup of the `integration` project: a real lab for the tests, written to .lab/lab.json.
//   DOCKHAND_LAB_REUSE=1  reuse the running lab when .lab/lab.json matches live containers (and keep it)
//   DOCKHAND_LAB_KEEP=1   do not stop the lab after the run
// If the lab cannot start this throws: the tests fail, they are never skipped.
import './env.ts';
import type { TestProject } from 'vitest/node';
import { isLabLive, loadLab, startLab, stopLab, type Lab } from './lab.ts';
import { containerExec, waitNodeReady } from './node.ts';

// ten nodes: enough for rolling batches (serial: 5 makes two waves) and every kind of node
export const INTEGRATION_SPEC = { debianNodes: 8, rhelNodes: 1, dockerCeNodes: 1 } as const;

declare module 'vitest' {
  export interface ProvidedContext {
    lab: Lab;
  }
}

function matchesSpec(lab: Lab): boolean {
  const count = (v: string): number => lab.nodes.filter((n) => n.variant === v).length;
  return count('debian') >= INTEGRATION_SPEC.debianNodes && count('rhel') >= INTEGRATION_SPEC.rhelNodes &&
    count('docker-ce') >= INTEGRATION_SPEC.dockerCeNodes;
}

async function reusableLab(): Promise<Lab | undefined> {
  if (process.env.DOCKHAND_LAB_REUSE !== '1') return undefined;
  try {
    const lab = loadLab();
    if (matchesSpec(lab) && (await isLabLive(lab))) {
      // live containers are not enough: sshd and dockerd must answer too (a previous run may have broken one)
      // a node an earlier run left with its runtime down is repaired once, rather than the whole lab replaced
      const ready = await Promise.all(lab.nodes.map(async (n) => {
        try {
          await waitNodeReady(n.name, n.containerId, n.address, 15_000);
          return true;
        } catch {
          await containerExec(n.containerId, ['sh', '-c', 'systemctl reset-failed; for u in containerd docker; do systemctl is-enabled --quiet $u 2>/dev/null && systemctl restart $u; done; true']);
        }
        return waitNodeReady(n.name, n.containerId, n.address, 30_000).then(() => true, (err: unknown) => {
          process.stderr.write(`[lab] cannot reuse lab ${lab.id}: ${String(err).split('\n')[0]}\n`);
          return false;
        });
      }));
      if (ready.every(Boolean)) return lab;
      return undefined;
    }
    process.stderr.write(`[lab] DOCKHAND_LAB_REUSE=1 but lab ${lab.id} is not live or too small: starting a new one\n`);
  } catch {
    process.stderr.write('[lab] DOCKHAND_LAB_REUSE=1 but no .lab/lab.json: starting a new lab\n');
  }
  return undefined;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reused = await reusableLab();
  if (reused) process.stderr.write(`[lab] reusing lab ${reused.id}\n`);
  const lab = reused ?? (await startLab({ ...INTEGRATION_SPEC }));
  project.provide('lab', lab);
  return async () => {
    if (reused || process.env.DOCKHAND_LAB_KEEP === '1') {
      process.stderr.write(`[lab] leaving lab ${lab.id} running (npm run lab:down stops it)\n`);
      return;
    }
    await stopLab(lab);
  };
}
