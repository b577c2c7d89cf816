// A playbook saved by an editor that writes a UTF-8 byte order mark (Notepad, some Windows tools).
import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../src/playbook/index.ts';

describe('a playbook that starts with a byte order mark', () => {
  it('reads as the same playbook without it, a list of plays included, with the same line numbers', async () => {
    const text = '- hosts: all\r\n  registries:\r\n    - host: harbor.example.com\r\n      insecure: true\r\n';
    const plain = await parsePlaybook(text, 'site.yml');
    const marked = await parsePlaybook(`\uFEFF${text}`, 'site.yml');
    expect(marked.plays).toEqual(plain.plays);
    await expect(parsePlaybook('\uFEFF- hosts: all\n  registries:\n    - host: "harbor.local; reboot"\n', 'site.yml')).rejects.toThrow(/^site\.yml:3: /);
  });
});
