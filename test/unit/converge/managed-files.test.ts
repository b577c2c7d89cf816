// The managed files of a state read (src/converge/sh/node-state.sh): every file's bytes in one `cat` into
// one `base64`, split by the sizes one `stat` gave, byte for byte (NUL bytes, no trailing newline, an
// empty file, a name with spaces, a symlink read through); a file that changed between the two reads is
// told (TornRead), never split wrongly; a node without `stat` sends one section per file as before.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { managedFile, readManagedFiles, TornRead } from '../../../src/converge/node-state.ts';
import { parseSections } from '../../../src/formats/sections.ts';
import { composeScript } from '../../../src/node/compose.ts';
import { nodeScript } from '../../../src/node/scripts.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-managed-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const etc = join(dir, 'etc');
mkdirSync(join(etc, 'certs.d', 'reg one'), { recursive: true });
mkdirSync(join(etc, 'certs.d', 'reg2'), { recursive: true });
const contents: Record<string, Buffer> = {
  [join(etc, 'hosts')]: Buffer.from('127.0.0.1 localhost\n10.0.0.9\treg2\n'),
  [join(etc, 'certs.d', 'reg one', 'ca.crt')]: Buffer.from([0, 1, 2, 255, 10, 0]),
  [join(etc, 'certs.d', 'reg2', 'ca.crt')]: Buffer.from('no newline at the end'),
  [join(etc, 'empty.conf')]: Buffer.alloc(0),
};
for (const [file, bytes] of Object.entries(contents)) writeFileSync(file, bytes);
symlinkSync(join(etc, 'hosts'), join(etc, 'linked.conf'));
const MANAGED = [join(etc, 'hosts'), join(etc, 'certs.d', '*', 'ca.crt'), join(etc, 'empty.conf'), join(etc, 'linked.conf'), join(etc, 'absent.conf')].join('\n');

function stateRead(path = process.env['PATH'] ?? ''): string {
  const script = composeScript(
    { MANAGED_FILES: MANAGED, DEBIAN_ANCHORS: '', RHEL_ANCHORS: '', DEBIAN_BUNDLE: '', RHEL_BUNDLE: '' },
    `STATE=${join(dir, 'state')}\nPATH=${path}\n`,
    nodeScript('converge/sh/node-state.sh'),
  );
  const result = spawnSync('dash', ['-s'], { input: script, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout;
}

const expected = () =>
  new Map([
    ...Object.entries(contents).map(([file, bytes]) => [file, managedFile(bytes)] as const),
    [join(etc, 'linked.conf'), managedFile(contents[join(etc, 'hosts')]!)] as const,
  ]);
const bytesOf = (files: ReturnType<typeof readManagedFiles>) => files;

describe('managed files in one read', () => {
  it('one stat, one cat, one base64: every file byte for byte, a symlink through its target, an absent one left out', () => {
    const out = stateRead();
    const sections = parseSections(out);
    expect(sections.filter((s) => s.name === 'managed-file')).toEqual([]);
    expect(sections.find((s) => s.name === 'managed-files')).toBeDefined();
    expect(bytesOf(readManagedFiles(sections, 'n1'))).toEqual(expected());
    expect(sections.filter((s) => s.name === 'managed-link').map((s) => s.arg)).toEqual([join(etc, 'linked.conf')]);
  });

  it('a node without stat: one section per file, the same bytes', () => {
    // a PATH of the tools the read needs, without stat
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['base64', 'cat', 'grep', 'flock']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const sections = parseSections(stateRead(bin));
    expect(sections.find((s) => s.name === 'managed-files')).toBeUndefined();
    expect(bytesOf(readManagedFiles(sections, 'n1'))).toEqual(expected());
  });

  it('bytes that do not add up to the sizes (a file written between the two reads): a torn read, never a wrong split', () => {
    const sections = parseSections(stateRead());
    const list = sections.find((s) => s.name === 'managed-files')!;
    const grown = list.content.replace(/^(\d+) /m, (_, n: string) => `${Number(n) + 1} `);
    const shrunk = list.content.replace(/^(\d+) /m, (_, n: string) => `${Math.max(0, Number(n) - 1)} `);
    for (const content of [grown, shrunk]) {
      const torn = sections.map((s) => (s === list ? { ...s, content } : s));
      expect(() => readManagedFiles(torn, 'n1')).toThrow(TornRead);
    }
    const bad = sections.map((s) => (s === list ? { ...s, content: 'x /etc/hosts\n' } : s));
    expect(() => readManagedFiles(bad, 'n1')).toThrow(/listed a managed file as "x \/etc\/hosts"/);
  });
});
