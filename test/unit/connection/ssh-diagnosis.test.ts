import { describe, expect, it } from 'vitest';
import { describeFailure, describeGiveUp, looksThrottled, shownBytes, type AttemptFailure } from '../../../src/connection/ssh-diagnosis.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const closed = (text = '', phase: 'greeting' | 'key exchange' = 'greeting'): AttemptFailure => ({ kind: 'closed', phase, peerBytes: bytes(text) });
const alone = { concurrent: false, servedBefore: false };

describe('what a failed SSH attempt saw, in words', () => {
  it.each<[AttemptFailure, string]>([
    [{ kind: 'refused' }, 'connection refused (nothing listens there)'],
    [{ kind: 'no-route' }, 'no route to host'],
    [{ kind: 'unresolved', code: 'ENOTFOUND' }, 'the name does not resolve (ENOTFOUND)'],
    [closed(), 'closed before the SSH greeting (something accepts connections on this port and closes them: not sshd, or sshd refusing this client)'],
    [closed('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'), 'not an SSH server: got "HTTP/1.1 400 Bad Request..."'],
    [closed('SSH-2.0-OpenSSH_9.2\r\n', 'key exchange'), 'the node closed the connection during key exchange'],
    [closed('Exceeded MaxStartups\r\n'), 'sshd refused the connection: "Exceeded MaxStartups" (too many unauthenticated connections at once: lower --forks, or raise MaxStartups on the node)'],
    [{ kind: 'timeout', phase: 'connect', peerBytes: bytes('') }, 'timed out after 2 s connecting (no answer: a firewall dropping packets, or the host is down)'],
    [{ kind: 'timeout', phase: 'greeting', peerBytes: bytes('') }, 'timed out after 2 s waiting for the SSH greeting (the port accepts connections but says nothing)'],
    [{ kind: 'timeout', phase: 'greeting', peerBytes: bytes('220 mail.example ESMTP\r\n') }, 'not an SSH server: got "220 mail.example ESMTP"'],
    [{ kind: 'timeout', phase: 'key exchange', peerBytes: bytes('SSH-2.0-x\r\n') }, 'timed out after 2 s during key exchange'],
    [{ kind: 'timeout', phase: 'authentication', peerBytes: bytes('SSH-2.0-x\r\n') }, 'timed out after 2 s during authentication'],
    [{ kind: 'protocol', message: 'key exchange failed: no matching host key format' }, 'key exchange failed: no matching host key format'],
  ])('%o: %s', (failure, text) => {
    expect(describeFailure(failure, 2000)).toBe(text);
  });

  it('shows what the peer sent printable and cut short', () => {
    expect(shownBytes(bytes('\x15\x03\x01\x00\x02\x02\x46'))).toBe('"\\x15\\x03\\x01\\x00\\x02\\x02F"');
    expect(shownBytes(bytes(`${'x'.repeat(100)}\n`))).toBe(`"${'x'.repeat(40)}..."`);
    expect(shownBytes(bytes('one line\r\n'))).toBe('"one line"');
    expect(shownBytes(bytes('first\r\nsecond\r\n'))).toBe('"first..."');
  });

  it('writes the timeout in seconds', () => {
    expect(describeFailure({ kind: 'timeout', phase: 'key exchange', peerBytes: bytes('') }, 1500)).toBe('timed out after 1.5 s during key exchange');
  });
});

describe('what looks like sshd throttling (and only that is tried again)', () => {
  it('a lone connection closed before the greeting, on its first try, is not throttling', () => {
    expect(looksThrottled(closed(), alone)).toBe(false);
    expect(looksThrottled(closed('', 'key exchange'), alone)).toBe(false);
  });

  it('"Exceeded MaxStartups" is throttling, whatever else is going on', () => {
    expect(looksThrottled(closed('Exceeded MaxStartups\r\n'), alone)).toBe(true);
  });

  it('a silent close is throttling when other connections open to the same sshd, or it let this run in before', () => {
    expect(looksThrottled(closed(), { concurrent: true, servedBefore: false })).toBe(true);
    expect(looksThrottled(closed(), { concurrent: false, servedBefore: true })).toBe(true);
    expect(looksThrottled(closed('', 'key exchange'), { concurrent: true, servedBefore: false })).toBe(true);
  });

  it('a peer that said something else, a refusal, a timeout or a protocol error is never tried again', () => {
    const busy = { concurrent: true, servedBefore: true };
    expect(looksThrottled(closed('HTTP/1.1 400 Bad Request\r\n'), busy)).toBe(false);
    expect(looksThrottled({ kind: 'refused' }, busy)).toBe(false);
    expect(looksThrottled({ kind: 'timeout', phase: 'greeting', peerBytes: bytes('') }, busy)).toBe(false);
    expect(looksThrottled({ kind: 'protocol', message: 'x' }, busy)).toBe(false);
  });

  it('says how often and for how long once tries ran out', () => {
    expect(describeGiveUp(closed(), 2000, 1, 10, alone)).toBe(describeFailure(closed(), 2000));
    expect(describeGiveUp(closed(), 2000, 4, 1100, { concurrent: true, servedBefore: false })).toBe(`${describeFailure(closed(), 2000)}, on every try (4 in 1.1 s)`);
    expect(describeGiveUp(closed(), 10_000, 7, 9400, { concurrent: true, servedBefore: true })).toBe(
      `${describeFailure(closed(), 10_000)}, on every try (7 in 9.4 s): MaxStartups throttling? lower --forks`,
    );
    const timeout: AttemptFailure = { kind: 'timeout', phase: 'key exchange', peerBytes: bytes('SSH-2.0-x\r\n') };
    expect(describeGiveUp(timeout, 10_000, 3, 10_000, alone)).toBe('timed out after 10 s during key exchange (try 3: the ones before it were closed before the SSH greeting)');
  });
});
