import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { detectFormat, loadInventory } from '../../../src/inventory/index.ts';
import { fixture } from './helpers.ts';

describe('loadInventory', () => {
  it('detects the format from the extension', () => {
    expect(detectFormat('x.yml', '')).toBe('yaml');
    expect(detectFormat('x.YAML', '')).toBe('yaml');
    expect(detectFormat('x.json', '')).toBe('yaml');
    expect(detectFormat('x.ini', 'all:\n  hosts: {}\n')).toBe('ini');
  });

  it('detects the format from the content when the extension says nothing', () => {
    expect(detectFormat('hosts', 'all:\n  hosts:\n    h1:\n')).toBe('yaml');
    expect(detectFormat('hosts', 'web:\nall:\n  hosts: {h: }\n')).toBe('yaml');
    expect(detectFormat('hosts', '[all]\nh1 ansible_host=1.2.3.4\n')).toBe('ini');
    expect(detectFormat('hosts', 'h1\nh2\n')).toBe('ini');
    expect(detectFormat('hosts', 'h1 a=b\n')).toBe('ini');
    expect(detectFormat('hosts', 'key: value\n')).toBe('ini');
  });

  it('loads an extensionless YAML file and an extensionless INI file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-inv-'));
    await writeFile(join(dir, 'yaml-hosts'), 'all:\n  hosts:\n    h1:\n');
    await writeFile(join(dir, 'ini-hosts'), '[web]\nh2 ansible_port=2\n');
    expect([...(await loadInventory(join(dir, 'yaml-hosts'))).hosts.keys()]).toEqual(['h1']);
    expect([...(await loadInventory(join(dir, 'ini-hosts'))).hosts.keys()]).toEqual(['h2']);
  });

  it('names a missing file', async () => {
    const missing = fixture('does-not-exist.ini');
    const error = await loadInventory(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('E_INVENTORY');
    expect((error as InputError).message).toBe(`${missing}: inventory file not found`);
  });


  it('rejects an inventory without hosts', async () => {
    const empty = fixture('errors/no-hosts.ini');
    await expect(loadInventory(empty)).rejects.toThrow(`${empty}: inventory holds no hosts`);
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-inv-'));
    await writeFile(join(dir, 'empty.yml'), '# nothing\n');
    await expect(loadInventory(join(dir, 'empty.yml'))).rejects.toThrow(/empty\.yml: inventory holds no hosts/);
  });
});
