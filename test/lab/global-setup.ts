// vitest globalSetup of the `integration` project: a real lab for the tests, written to .lab/lab.json.
//   DOCKHAND_LAB_REUSE=1  reuse the running lab when .lab/lab.json matches live containers (and keep it)
//   DOCKHAND_LAB_KEEP=1   do not stop the lab after the run
// If the lab cannot start this throws: the tests fail, they are never skipped.
import './env.ts';
import type { TestProject } from 'vitest/node';
import type { Lab, LabSpec } from './lab.ts';
import { labForTests } from './test-lab.ts';

// ten Docker nodes (enough for rolling batches: serial: 5 makes two waves, and every kind of Docker node),
// one node of each containerd kind (see variants.ts), two podman nodes (one of them gets a stand-in CRI-O), a k3s
// stand-in and the Harbor stand-in (registry onboarding); four more containerd 1.6 nodes let the crash-point
// matrix kill as many containerd transactions at once as Docker ones
export const INTEGRATION_SPEC = {
  debianNodes: 8, rhelNodes: 1, dockerCeNodes: 1,
  containerdNodes: 5, containerd17Nodes: 1, kubekeyNodes: 1, kubesprayNodes: 1,
  podmanNodes: 2, k3sNodes: 1,
  harborFront: true,
} as const satisfies Omit<LabSpec, 'id'>;

declare module 'vitest' {
  export interface ProvidedContext {
    lab: Lab;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { lab, release } = await labForTests({ ...INTEGRATION_SPEC });
  project.provide('lab', lab);
  return release;
}
