// vitest globalSetup of the integration project: the suite's labs (suite-labs.ts), started side by side, each
// written to its home's lab.json; the test files find theirs through worker-lab.ts.
//   DOCKHAND_LAB_REUSE=1  reuse the running labs when their lab.json matches live containers (and keep them)
//   DOCKHAND_LAB_KEEP=1   do not stop the labs after the run
//   DOCKHAND_TEST_LABS=N  how many labs (and integration files at once); 2 unless set
// It also builds dockhand's single executable (dist/dockhand) when a source is newer: the files run that.
// If a lab cannot start this throws: the tests fail, they are never skipped.
import './env.ts';
import type { TestProject } from 'vitest/node';
import { DEFAULT_HOME, namedHome } from './home.ts';
import { ensureExecutable } from '../support/executable.ts';
import { ensureImages } from './images.ts';
import { INTEGRATION_SPEC, suiteLabCount, suiteLabHome } from './suite-labs.ts';
import { labForTests, type TestLab } from './test-lab.ts';
import type { NodeVariant } from './types.ts';
import { VARIANTS } from './variants.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** how many labs the run started: worker-lab.ts maps a worker to one */
    suiteLabs: number;
  }
}

/** How many of this run's files the project runs (all of its files when vitest does not say). */
function filesInRun(project: TestProject): number | undefined {
  const paths = (project.vitest as unknown as { state?: { pathsSet?: Set<string> } }).state?.pathsSet;
  return paths === undefined ? undefined : [...paths].filter((file) => project.matchesTestGlob(file)).length;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // one lab per integration file that can run at once, and no more than the run has files
  const count = Math.max(1, Math.min(suiteLabCount(), filesInRun(project) ?? Infinity));
  const variants = (Object.keys(VARIANTS) as NodeVariant[]).filter((v) => (INTEGRATION_SPEC[VARIANTS[v].count] ?? 0) > 0);
  // the images first, once: two labs starting together must not build the same image twice; meanwhile the
  // single executable the test files run (test/support/cli.ts)
  await Promise.all([ensureImages(variants, { harborFront: INTEGRATION_SPEC.harborFront }), ensureExecutable()]);
  const homes = Array.from({ length: count }, (_x, i) => suiteLabHome(i + 1)).map((name) => (name === undefined ? DEFAULT_HOME : namedHome(name)));
  const started = await Promise.allSettled(homes.map((home) => labForTests({ ...INTEGRATION_SPEC }, { home })));
  const labs = started.filter((s): s is PromiseFulfilledResult<TestLab> => s.status === 'fulfilled').map((s) => s.value);
  const release = async (): Promise<void> => {
    await Promise.all(labs.map((l) => l.release()));
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    // nothing is left running when the run fails here
    await release();
    throw failed.reason;
  }
  for (const [i, l] of labs.entries()) process.stderr.write(`[lab] lab ${i + 1} of ${count}: ${l.lab.id}, ${l.lab.nodes.length} nodes\n`);
  project.provide('suiteLabs', count);
  return release;
}
