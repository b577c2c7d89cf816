// The committed code in src/cri/gen/ is what `npm run generate:cri` makes of the committed api.proto.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..', '..');
const cri = path.join(root, 'src', 'cri');
const bin = path.join(root, 'node_modules', '.bin');
const out = mkdtempSync(path.join(tmpdir(), 'dockhand-cri-gen-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('src/cri/gen', () => {
  it('is up to date with proto/runtime/v1/api.proto and buf.gen.yaml', () => {
    const template = readFileSync(path.join(cri, 'buf.gen.yaml'), 'utf8').replace(/^(\s+out:) gen$/m, `$1 ${out}`);
    expect(template).toContain(out);
    execFileSync(path.join(bin, 'buf'), ['generate', '--template', template], {
      cwd: cri,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` },
      stdio: 'pipe',
    });
    const file = path.join('runtime', 'v1', 'api_pb.ts');
    expect(readFileSync(path.join(out, file), 'utf8')).toBe(readFileSync(path.join(cri, 'gen', file), 'utf8'));
  });
});
