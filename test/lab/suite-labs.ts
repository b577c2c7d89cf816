// The integration suite's labs: as many as integration files run at once (vitest's workers), each the same
// lab. A test file uses the lab of the worker it runs in (VITEST_POOL_ID, unique among the workers running at
// one time), so two files never share nodes. A test mostly waits on its nodes (restarts, rollbacks, timeouts:
// about half of this 2-core machine is idle while one file runs), so a second lab nearly halves the suite.
//   DOCKHAND_TEST_LABS=N  run N labs and N integration files at once (1: one lab, one file at a time)
import { LAB_HOME_ENV } from './home.ts';
import type { LabSpec } from './types.ts';

// ten Docker nodes (enough for rolling batches: serial: 5 makes two waves, and every kind of Docker node),
// one node of each containerd kind (see variants.ts), two podman nodes (one of them gets a stand-in CRI-O), a k3s
// stand-in and the Harbor stand-in (registry onboarding); four more containerd 1.6 nodes let the crash-point
// matrix kill as many containerd transactions at once as Docker ones; lean nodes (see LabSpec.lean): the suite
// is bound by the CPU its nodes burn
export const INTEGRATION_SPEC = {
  debianNodes: 8, rhelNodes: 1, dockerCeNodes: 1,
  containerdNodes: 5, containerd17Nodes: 1, kubekeyNodes: 1, kubesprayNodes: 1,
  podmanNodes: 2, k3sNodes: 1,
  harborFront: true,
  lean: true,
} as const satisfies Omit<LabSpec, 'id'>;

/** How many labs, and integration files at once: DOCKHAND_TEST_LABS, else 2 (this 2-core machine's measure). */
export function suiteLabCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = env['DOCKHAND_TEST_LABS'];
  if (asked === undefined || asked === '') return 2;
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`DOCKHAND_TEST_LABS must be a whole number from 1 to 8, got ${JSON.stringify(asked)}`);
  return n;
}

/** The home of the suite's lab number `n` (1-based): the first is this checkout's lab (.lab/), lab n is .lab/suite-n/. */
export function suiteLabHome(n: number): string | undefined {
  return n === 1 ? undefined : `suite-${n}`;
}

/**
 * The lab a test file of worker `poolId` (VITEST_POOL_ID, 1-based) uses, of the `labs` the run started: the
 * workers running at one time have distinct pool ids, and a run starts one lab per worker that can run an
 * integration file (one lab when the run has one integration file).
 */
export function labOfWorker(poolId: number, labs: number): string | undefined {
  if (!Number.isInteger(poolId) || poolId < 1) throw new Error(`VITEST_POOL_ID is not a worker number: ${poolId}`);
  return suiteLabHome(((poolId - 1) % labs) + 1);
}

export { LAB_HOME_ENV };
