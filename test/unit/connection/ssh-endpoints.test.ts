import { describe, expect, it } from 'vitest';
import { SshEndpoints } from '../../../src/connection/ssh-endpoints.ts';

const E = '10.0.0.5:22';
const later = (ms: number) => performance.now() + ms;

describe('SshEndpoints: the pattern around a connection', () => {
  it('counts the connections opening to one sshd, apart from other sshds', () => {
    const endpoints = new SshEndpoints();
    const first = endpoints.opening(E);
    expect(endpoints.pattern(E)).toEqual({ concurrent: false, servedBefore: false });
    const second = endpoints.opening(E);
    endpoints.opening('10.0.0.6:22');
    expect(endpoints.pattern(E).concurrent).toBe(true);
    second();
    second(); // once only
    expect(endpoints.pattern(E).concurrent).toBe(false);
    first();
    endpoints.served(E);
    expect(endpoints.pattern(E)).toEqual({ concurrent: false, servedBefore: true });
  });
});

describe('SshEndpoints: turns once sshd dropped a try', () => {
  it('gives every try a turn at once while nothing was dropped', async () => {
    const endpoints = new SshEndpoints();
    const turns = await Promise.all(Array.from({ length: 20 }, () => endpoints.turn(E, later(1000))));
    expect(turns.every((t) => t !== undefined)).toBe(true);
    expect(endpoints.throttling(E)).toBe(false);
  });

  it('after a drop, lets no more tries at once than sshd was serving, and hands turns on as they end', async () => {
    const endpoints = new SshEndpoints();
    const [a, b, c] = await Promise.all([endpoints.turn(E, later(1000)), endpoints.turn(E, later(1000)), endpoints.turn(E, later(1000))]);
    endpoints.dropped(E); // c was dropped while a and b were served
    c!();
    expect(endpoints.throttling(E)).toBe(true);
    let granted = false;
    const waiting = endpoints.turn(E, later(1000)).then((turn) => {
      granted = true;
      return turn;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(granted).toBe(false);
    a!();
    const turn = await waiting;
    expect(turn).toBeTypeOf('function');
    b!();
    turn!();
  });

  it('a try that waits past its deadline gets no turn, and leaves the queue', async () => {
    const endpoints = new SshEndpoints();
    const [a, b] = await Promise.all([endpoints.turn(E, later(1000)), endpoints.turn(E, later(1000))]);
    endpoints.dropped(E);
    b!();
    expect(await endpoints.turn(E, later(30))).toBeUndefined();
    a!();
    expect(await endpoints.turn(E, later(30))).toBeTypeOf('function');
  });

  it('lets more tries at once again as logins succeed', async () => {
    const endpoints = new SshEndpoints();
    const [a, b] = await Promise.all([endpoints.turn(E, later(1000)), endpoints.turn(E, later(1000))]);
    endpoints.dropped(E);
    b!(); // limit 1
    for (let i = 0; i < 2; i += 1) endpoints.served(E); // 1 -> 2 -> 2.5
    const second = await endpoints.turn(E, later(30));
    expect(second).toBeTypeOf('function');
    expect(await endpoints.turn(E, later(30))).toBeUndefined();
    a!();
    second!();
  });
});
