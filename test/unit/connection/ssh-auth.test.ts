import { describe, expect, it } from 'vitest';
import { LoginAttempts, type LoginMethod } from '../../../src/connection/ssh-auth.ts';

/** Plays ssh2's part: asks the handler for methods until it says false, the node refusing each. */
function refuseAll(methods: LoginMethod[], nodeAccepts: string[]): { tried: unknown[]; refusal: string } {
  const logins = new LoginAttempts(methods);
  const tried: unknown[] = [];
  let left: string[] | null = null;
  for (;;) {
    let next: unknown;
    logins.handler(left as never, false, (method) => (next = method));
    if (next === false) break;
    tried.push(next);
    left = nodeAccepts;
  }
  return { tried, refusal: logins.refusal() };
}

describe('LoginAttempts: a refused login names what was tried', () => {
  it('names the key file tried (never its content) and what the node accepts', () => {
    const { tried, refusal } = refuseAll([{ type: 'publickey', file: '/home/ops/.ssh/stranger' }], ['publickey', 'password']);
    expect(tried).toEqual(['publickey']);
    expect(refusal).toBe('the node refused the key /home/ops/.ssh/stranger; it accepts: publickey, password');
  });

  it('names each method once, in the order tried', () => {
    const { tried, refusal } = refuseAll(
      [{ type: 'publickey', file: '/k' }, { type: 'agent' }, { type: 'password' }, { type: 'keyboard-interactive' }],
      ['publickey'],
    );
    expect(tried).toEqual(['publickey', 'agent', 'password', 'keyboard-interactive']);
    expect(refusal).toBe("the node refused the key /k, the ssh-agent's keys (SSH_AUTH_SOCK), the password (ansible_password); it accepts: publickey");
  });
});

describe('authConfig: a key file read once for every node', () => {
  it('gives every node the same key, reads a key replaced on disk again, and names the node in an error', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, rmSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { authConfig } = await import('../../../src/connection/ssh-auth.ts');
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-key-'));
    try {
      const file = join(dir, 'id_ed25519');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
      const credentials = { user: 'ops', privateKeyFile: file, password: undefined } as never;
      const a = await authConfig(credentials, 'n1');
      const b = await authConfig(credentials, 'n2');
      expect(b.config.privateKey).toBe(a.config.privateKey);
      rmSync(file);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
      const c = await authConfig(credentials, 'n3');
      expect(Buffer.compare(c.config.privateKey as Buffer, readFileSync(file))).toBe(0);
      expect(c.config.privateKey).not.toEqual(a.config.privateKey);
      writeFileSync(join(dir, 'bad'), 'not a key\n');
      const bad = { user: 'ops', privateKeyFile: join(dir, 'bad'), password: undefined } as never;
      await expect(authConfig(bad, 'n4')).rejects.toThrow(/^n4: private key .*bad cannot be used/);
      await expect(authConfig(bad, 'n5')).rejects.toThrow(/^n5: private key .*bad cannot be used/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
