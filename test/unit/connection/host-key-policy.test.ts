import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostKeyPolicy } from '../../../src/connection/host-key-policy.ts';

/** A fresh ed25519 public key blob (base64), as ssh would present it. */
function freshEd25519(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(der.subarray(-32))]).toString('base64');
}

const knownHostsFile = () => join(mkdtempSync(join(tmpdir(), 'dockhand-hkp-')), 'known_hosts');

describe('HostKeyPolicy: recording new host keys (accept-new)', () => {
  it('says so in one line per key recorded, in OpenSSH\'s words (issue 12, item 9)', async () => {
    const said: string[] = [];
    const file = knownHostsFile();
    const policy = new HostKeyPolicy('accept-new', file, (text) => said.push(text));
    await policy.verify('node1', '10.0.0.3', 22, 'ssh-ed25519', freshEd25519());
    await policy.verify('node2', 'Node2.Example', 2222, 'ssh-ed25519', freshEd25519());
    expect(said).toEqual([
      "Warning: Permanently added '10.0.0.3' (ED25519) to the list of known hosts.",
      "Warning: Permanently added '[node2.example]:2222' (ED25519) to the list of known hosts.",
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('records a key once, and says it once, when many connections to one host meet it at the same time', async () => {
    const said: string[] = [];
    const file = knownHostsFile();
    const key = freshEd25519();
    const policy = new HostKeyPolicy('accept-new', file, (text) => said.push(text));
    await Promise.all(Array.from({ length: 10 }, (_, i) => policy.verify(`t${i}`, '10.0.0.4', 22, 'ssh-ed25519', key)));
    expect(said).toHaveLength(1);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('says nothing for a key already known, nor in strict mode, nor with checks off', async () => {
    const said: string[] = [];
    const file = knownHostsFile();
    const key = freshEd25519();
    writeFileSync(file, `10.0.0.5 ssh-ed25519 ${key}\n`);
    await new HostKeyPolicy('accept-new', file, (text) => said.push(text)).verify('n', '10.0.0.5', 22, 'ssh-ed25519', key);
    await expect(new HostKeyPolicy('strict', file, (text) => said.push(text)).verify('n', '10.0.0.6', 22, 'ssh-ed25519', freshEd25519())).rejects.toThrow(/host key/);
    await new HostKeyPolicy('off', file, (text) => said.push(text)).verify('n', '10.0.0.7', 22, 'ssh-ed25519', freshEd25519());
    expect(said).toEqual([]);
  });
});
