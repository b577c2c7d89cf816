// The lab's SSH key pair (ed25519), one per lab, in .lab/.
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { run } from './util.ts';

export interface LabKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKey: string;
}

export async function generateSshKeyPair(dir: string, labId: string): Promise<LabKeyPair> {
  const privateKeyPath = path.join(dir, 'id_ed25519');
  const publicKeyPath = `${privateKeyPath}.pub`;
  await rm(privateKeyPath, { force: true });
  await rm(publicKeyPath, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `dockhand-lab-${labId}`, '-f', privateKeyPath]);
  await chmod(privateKeyPath, 0o600);
  const publicKey = (await readFile(publicKeyPath, 'utf8')).trim();
  return { privateKeyPath, publicKeyPath, publicKey };
}
