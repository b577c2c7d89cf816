import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../src/connection/local.ts';
import { loggedConnection } from '../../../src/connection/logged.ts';
import { STDIN_SCRIPT } from '../../../src/connection/types.ts';
import { Output, Redactor } from '../../../src/report/output.ts';

const SECRET = 'hunter2-Sentinel-7Qz';

function capture(verbosity: number) {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (c: Buffer) => (text.out += c.toString()));
  err.on('data', (c: Buffer) => (text.err += c.toString()));
  const redactor = new Redactor();
  redactor.add(SECRET, undefined, '');
  return { output: new Output(verbosity, redactor, out, err), text };
}

describe('Redactor', () => {
  it('masks every known secret, longest first, and leaves strings under 4 characters alone', () => {
    const r = new Redactor();
    r.add('abcd', 'abcdefgh', 'ab');
    expect(r.redact('x abcdefgh y abcd z ab')).toBe('x ******** y ******** z ab');
  });

  it('masks a secret added after it has redacted (its forms are made again), in every escaped form', () => {
    const r = new Redactor();
    r.add('first-secret');
    expect(r.redact('first-secret later"one')).toBe('******** later"one');
    r.add('later"one');
    expect(r.redact('first-secret later"one')).toBe('******** ********');
    expect(r.redact(JSON.stringify('later"one'))).toBe('"********"');
  });
});

describe('a result in parts', () => {
  it('writes each part redacted, in order, waiting for the stream to drain', async () => {
    const out = new PassThrough({ highWaterMark: 4 });
    let text = '';
    const { output } = capture(0);
    const parted = new Output(0, output.redactor, out, new PassThrough());
    const written = parted.resultParts(['{', `"${SECRET}"`, ',', '"x"', '}\n']);
    // nothing reads yet: the first part fills the stream, the rest waits
    await new Promise((resolve) => setImmediate(resolve));
    out.on('data', (c: Buffer) => (text += c.toString()));
    await written;
    expect(text).toBe('{"********","x"}\n');
  });

  it('stops, rather than wait forever, when the reader goes away (`dockhand check --json | head -1`)', async () => {
    const out = new PassThrough({ highWaterMark: 4 });
    const parted = new Output(0, new Redactor(), out, new PassThrough());
    const written = parted.resultParts(['{', '"a long part"', ',', '"x"', '}\n']);
    await new Promise((resolve) => setImmediate(resolve));
    out.destroy();
    await expect(written).resolves.toBeUndefined();
  });
});

describe('verbose output', () => {
  it('-v shows runs and timings; -vv the script; -vvv raw output; never a secret, never stdin', async () => {
    for (const level of [0, 1, 2, 3]) {
      const { output, text } = capture(level);
      const connection = loggedConnection(new LocalConnection(), 'node1', output);
      await connection.open();
      // a secret that reaches output anyway (a remote tool echoing it) is masked
      await connection.run(`cat >/dev/null; echo "out ${SECRET}"; echo "err ${SECRET}" >&2`, { input: `${SECRET}\n` });
      await connection.run(STDIN_SCRIPT, { input: 'echo from-stdin-script\n' });
      output.result(`result ${SECRET}\n`);
      output.notice(`notice ${SECRET}`);
      const all = text.out + text.err;
      expect(all, `level ${level}`).not.toContain(SECRET);
      expect(text.out).toBe('result ********\n');
      if (level >= 1) expect(text.err).toMatch(/node1: ran "cat >\/dev\/null; .*": exit 0 in \d+ ms/);
      if (level >= 2) expect(text.err).toMatch(/stdin: \d+ bytes, not shown/);
      if (level >= 2) expect(text.err).toContain('echo from-stdin-script');
      if (level >= 3) expect(text.err).toContain('out ********');
      if (level < 3) expect(text.err).not.toContain('stdout:');
      if (level === 0) expect(text.err).toBe('dockhand: notice ********\n');
    }
  });
});
