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
