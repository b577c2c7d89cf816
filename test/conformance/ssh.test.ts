import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKeyPolicy } from '../../src/connection/host-key-policy.ts';
import { SshConnection } from '../../src/connection/ssh.ts';
import { loadLab } from '../lab/lab.ts';
import { describeConnection } from './connection.case.ts';

const lab = loadLab();
const node = lab.nodes.find((n) => n.family === 'debian') ?? lab.nodes[0]!;
const rhel = lab.nodes.find((n) => n.family === 'rhel') ?? node;
const knownHosts = join(mkdtempSync(join(tmpdir(), 'dockhand-kh-')), 'known_hosts');
const hostKeys = new HostKeyPolicy('accept-new', knownHosts);

function ssh(address: string, user: string, become: boolean, becomePassword?: string): SshConnection {
  return new SshConnection({
    nodeName: address,
    host: address,
    port: 22,
    credentials: { user, privateKeyFile: lab.sshKeyPath, password: undefined, passphrase: undefined, agentSocket: undefined },
    privilege: { loginUser: user, become, becomeUser: 'root', becomePassword },
    hostKeys,
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 15_000,
  });
}

describeConnection('ssh as root', { open: async () => ssh(node.address, 'root', false), link: true });

describeConnection('ssh as a sudo user with a password', {
  open: async () => ssh(rhel.address, lab.opsUser, true, readFileSync(lab.opsPasswordFile, 'utf8').trim()),
  link: true,
});
