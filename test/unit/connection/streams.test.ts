import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { drive, type BecomeHandshake, type Spawned } from '../../../src/connection/streams.ts';

/** A scripted process: the test plays sudo's part on its streams. */
function fakeProcess() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let finish: (v: { exitCode: number | null; signal: string | null }) => void = () => undefined;
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => (finish = resolve));
  const written: string[] = [];
  stdin.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  let killed = false;
  const proc: Spawned = {
    stdin,
    stdout,
    stderr,
    exited,
    kill: () => {
      killed = true;
      finish({ exitCode: null, signal: 'KILL' });
    },
  };
  return { proc, stdout, stderr, written, exit: (code: number) => finish({ exitCode: code, signal: null }), killed: () => killed };
}

const handshake: BecomeHandshake = { prompt: '[p] ', marker: 'MARK', password: 'hunter2-sentinel', user: 'root' };
const tick = () => new Promise((r) => setImmediate(r));

describe('drive: the sudo handshake', () => {
  it('answers the prompt once, then sends input only after the marker', async () => {
    const f = fakeProcess();
    const running = drive(f.proc, { input: 'payload', become: handshake, timeoutMs: undefined });
    f.stderr.write('[p] ');
    await tick();
    expect(f.written.join('')).toBe('hunter2-sentinel\n');
    f.stderr.write('MARK\nreal stderr\n');
    f.stdout.write('out');
    await tick();
    expect(f.written.join('')).toBe('hunter2-sentinel\npayload');
    f.exit(0);
    const result = await running;
    expect(result).toMatchObject({ exitCode: 0, stdout: 'out', stderr: 'real stderr\n' });
    expect(result.stderr).not.toContain('hunter2');
  });

  it('sends no password when sudo does not ask (NOPASSWD or cached)', async () => {
    const f = fakeProcess();
    const running = drive(f.proc, { input: 'data', become: handshake, timeoutMs: undefined });
    f.stderr.write('MARK\n');
    await tick();
    expect(f.written.join('')).toBe('data');
    f.exit(0);
    await running;
  });

  it('fails at the second prompt with a message about sudo, after one attempt', async () => {
    const f = fakeProcess();
    const running = drive(f.proc, { input: undefined, become: handshake, timeoutMs: undefined });
    f.stderr.write('[p] ');
    await tick();
    f.stderr.write('Sorry, try again.\n[p] ');
    await expect(running).rejects.toThrow(/incorrect sudo password/);
    expect(f.written.join('')).toBe('hunter2-sentinel\n');
    expect(f.killed()).toBe(true);
  });

  it('fails when sudo asks and no password is set', async () => {
    const f = fakeProcess();
    const running = drive(f.proc, { input: undefined, become: { ...handshake, password: undefined }, timeoutMs: undefined });
    f.stderr.write('[p] ');
    await expect(running).rejects.toThrow(/ansible_become_password/);
  });

  it('reports what sudo said when it exits before the marker', async () => {
    const f = fakeProcess();
    const running = drive(f.proc, { input: undefined, become: handshake, timeoutMs: undefined });
    f.stderr.write('ops is not in the sudoers file.  This incident will be reported.\n');
    await tick();
    f.exit(1);
    await expect(running).rejects.toThrow(/sudoers/);
  });

  it('kills a process that runs past its timeout and says so', async () => {
    const f = fakeProcess();
    const result = await drive(f.proc, { input: undefined, become: undefined, timeoutMs: 20, graceMs: 0 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    expect(f.killed()).toBe(true);
  });
});
