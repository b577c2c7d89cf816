// The command line a script runs under: a clean environment whose USER and LOGNAME name who runs it,
// without an `id` process where the connection knows the name.
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { commandFor, invocationFor } from '../../../src/connection/become.ts';

const envOf = (command: string) => spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', SECRET: 'x' } });

describe('commandFor', () => {
  it('names the login user it is given, with no id process', () => {
    const command = commandFor('echo "$USER $LOGNAME"; env | sort', undefined, 10_000, 'ops');
    expect(command).not.toContain('id -un');
    const run = envOf(command);
    expect(run.stdout.split('\n')[0]).toBe('ops ops');
    expect(run.stdout).not.toContain('SECRET');
  });

  it("asks id where it is not given a name, or is given one that is not a user name", () => {
    for (const name of [undefined, 'a b', '$(reboot)', "o'brien", '']) {
      const command = commandFor('echo "$USER"', undefined, undefined, name);
      expect(command, String(name)).toContain('id -un');
      expect(envOf(command).stdout.trim()).toBe(userInfo().username);
    }
  });

  it('through sudo, the user it becomes', () => {
    const command = commandFor('true', { prompt: 'p ', marker: 'M', password: undefined, user: 'root' }, 10_000, 'ops');
    expect(command).toContain('u=root');
    expect(command).not.toContain('u=ops');
  });
});

describe('invocationFor', () => {
  const big = `echo start\n${'# a CA of the play\n'.repeat(10_000)}echo end`;

  it('sends a script with no input of its own on stdin: the command line stays small however large the script', () => {
    const { command, input } = invocationFor(big, { timeoutMs: 10_000 }, undefined, 'ops');
    expect(input).toBe(big);
    expect(command.length).toBeLessThan(1000);
    expect(command).not.toContain('a CA of the play');
    const run = spawnSync('/bin/sh', ['-c', command], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(run.stdout).toBe('start\nend\n');
  });

  it('keeps a script with an input of its own in the command line, and the input on stdin', () => {
    const { command, input } = invocationFor('cat', { input: 'file content\n' }, undefined, 'ops');
    expect(input).toBe('file content\n');
    expect(spawnSync('/bin/sh', ['-c', command], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).stdout).toBe('file content\n');
  });
});
