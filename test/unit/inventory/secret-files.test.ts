import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.ts';

describe('inventories that hold secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-secret-files-'));

  it('a password makes the file one to keep private; the path of a key file does not', async () => {
    const keyOnly = join(dir, 'key-only.ini');
    writeFileSync(keyOnly, '[nodes]\nn1 ansible_host=10.0.0.1\n[all:vars]\nansible_ssh_private_key_file=~/.ssh/id_ed25519\n');
    const withPassword = join(dir, 'password.ini');
    writeFileSync(withPassword, '[nodes]\nn1 ansible_host=10.0.0.1 ansible_become_password=hunter22\n');
    expect((await loadInventory([keyOnly])).secretFiles).toEqual([]);
    expect((await loadInventory([withPassword])).secretFiles).toEqual([withPassword]);
  });
});
