import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/index.ts';

const SENTINEL = 'hunter2-Sentinel-91xq';

/** Inventory mistakes around secrets: the error names the file and line, never the secret. */
describe('inventory errors never quote a secret', () => {
  const cases: [string, string][] = [
    ['a password split off by a space', `[web]\nweb1 ansible_become_password= ${SENTINEL}\n`],
    ['a :vars line without "="', `[web]\nweb1\n[web:vars]\nansible_become_password ${SENTINEL}\n`],
    ['a :vars name with spaces', `[web]\nweb1\n[web:vars]\nansible become password=${SENTINEL}\n`],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      let message = '';
      try {
        parseInventory(text, '/inv/hosts.ini');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^\/inv\/hosts\.ini:\d+: /);
      expect(message).not.toContain(SENTINEL);
    });
  }
});
