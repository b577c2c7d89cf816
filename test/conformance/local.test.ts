import { LocalConnection } from '../../src/connection/local.ts';
import { describeConnection } from './connection.case.ts';

// What an operator's shell holds: none of it may reach a node script (issue 8, fault 9).
process.env['DOCKER_HOST'] = 'tcp://operator-only.example:2376';
process.env['HARBOR_PASSWORD'] = 'operator-only-secret';

describeConnection('local', { open: async () => new LocalConnection() });
