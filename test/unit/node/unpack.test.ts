// Two recoveries of one killed transaction refresh its worker.sh at once (found in the integration suite under
// load): each must write through a temporary file of its own, or one moves the other's away mid-write and the
// run fails with "cannot write into".
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackFunction } from '../../../src/node/transaction/bundle.ts';

function run(script: string, env: NodeJS.ProcessEnv, input: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe('unpack', () => {
  it('two shells unpacking the same file at once both succeed, and no temporary file stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-unpack-'));
    const bin = join(dir, 'bin');
    const T = join(dir, 'txn');
    for (const d of [bin, T]) mkdirSync(d);
    // base64 that holds its output back: the first shell's redirection has made its file before the second's,
    // and the second one's move comes after the first one's
    writeFileSync(join(bin, 'base64'), '#!/bin/sh\nsleep "$HOLD"\nexec /usr/bin/base64 "$@"\n');
    chmodSync(join(bin, 'base64'), 0o755);
    const script = `section() { echo "[$1]"; }\nT=${T}\n${unpackFunction('cannot write into $T')}unpack worker.sh\necho unpacked`;
    const env = (hold: string) => ({ PATH: `${bin}:/usr/bin:/bin`, HOLD: hold });
    const [a, b] = await Promise.all([
      run(script, env('0.2'), Buffer.from('first\n').toString('base64')),
      run(script, env('0.6'), Buffer.from('second\n').toString('base64')),
    ]);
    expect([a, b]).toEqual([{ code: 0, out: 'unpacked\n' }, { code: 0, out: 'unpacked\n' }]);
    expect(readFileSync(join(T, 'worker.sh'), 'utf8')).toBe('second\n');
    expect(readdirSync(T)).toEqual(['worker.sh']);
  });

  it('a write that fails says so, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-unpack-'));
    const script = `section() { echo "[$1]"; }\nT=${dir}\n${unpackFunction('cannot write into $T')}unpack worker.sh\necho unpacked`;
    const r = await run(script, { PATH: '/usr/bin:/bin' }, 'not base64 at all!\n');
    expect(r.code).toBe(1);
    expect(r.out).toBe(`[error]\ncannot write into ${dir}\n[end]\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
