import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../support/cli.ts';

const read = (file: string) => readFileSync(`${REPO}/${file}`, 'utf8');
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
const docs = ['README.md', 'test/lab/README.md', 'bench/README.md'];

describe('the docs tell commands that work', () => {
  it('no command runs a TypeScript file with the system node (it may be older than the project\'s)', () => {
    for (const doc of docs) expect(read(doc), doc).not.toMatch(/^\s*node [\w/.-]+\.ts\b/m);
  });

  it('every `npm run X` named exists in package.json', () => {
    for (const doc of docs) {
      for (const [, name] of read(doc).matchAll(/npm run ([\w:-]+)/g)) expect(scripts, `${doc}: npm run ${name}`).toContain(name);
    }
  });

  it('issue 20, item 8: npm\'s EBADENGINE warning under an older system Node.js is explained in the README and kept out of the set-up\'s output', () => {
    expect(read('README.md')).toMatch(/EBADENGINE[\s\S]{0,400}harmless/);
    expect(read('test/lab/setup-host.sh')).toMatch(/grep -v .*EBADENGINE/);
  });

  it('no doc says lab:up writes known_hosts: the first dockhand run does', () => {
    for (const doc of ['README.md', 'test/lab/README.md']) expect(read(doc)).toMatch(/first dockhand run[\s\S]{0,80}known_hosts/);
  });
});
