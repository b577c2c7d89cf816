import { LocalConnection } from '../../src/connection/local.ts';
import { describeConnection } from './connection.case.ts';

describeConnection('local', { open: async () => new LocalConnection() });
