import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shCommand, shQuote } from '../../../src/connection/quote.ts';

/** What sh makes of a quoted word: printed back by printf, NUL-free. */
function throughSh(words: string[]): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shCommand(words)}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shQuote('docker')).toBe('docker');
    expect(shQuote('/etc/docker/certs.d/harbor.local:5000/ca.crt')).toBe('/etc/docker/certs.d/harbor.local:5000/ca.crt');
    expect(shQuote('')).toBe("''");
    expect(shQuote('-rf')).toBe("'-rf'");
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shQuote('$(reboot)')).toBe(`'$(reboot)'`);
  });

  it('refuses a NUL byte, which no shell word can hold', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('round-trips fixed nasty strings through sh', () => {
    const nasty = ["'", '"', '\\', '$HOME', '`id`', '; rm -rf /', '\n', 'a b', '*', '~', '!', '-n', '--', '\t', 'é日本'];
    expect(throughSh(nasty)).toEqual(nasty);
  });

  it('round-trips arbitrary strings through sh (property)', () => {
    // 200 samples through one sh: a process per sample costs seconds on a busy machine, and proves no more
    const word = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
    const samples = fc.sample(fc.array(word, { minLength: 1, maxLength: 5 }), { numRuns: 200 });
    const words = samples.flat();
    const back = throughSh(words);
    for (const [i, w] of words.entries()) expect(back[i], JSON.stringify(w)).toBe(w);
    expect(back).toHaveLength(words.length);
  });
});
