// vitest setupFiles of the integration project: before a test file is loaded, point it at the lab of the
// worker it runs in (suite-labs.ts), so that loadLab() and findNode() find that lab's nodes.
import { inject } from 'vitest';
import { LAB_HOME_ENV, labOfWorker } from './suite-labs.ts';

const home = labOfWorker(Number(process.env['VITEST_POOL_ID']), inject('suiteLabs'));
if (home === undefined) delete process.env[LAB_HOME_ENV];
else process.env[LAB_HOME_ENV] = home;
