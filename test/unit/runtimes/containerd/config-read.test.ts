// What src/runtimes/containerd/facts.sh takes from containerd's config file with one awk: the files its
// top-level `imports` name (quoted either way, one or many lines, globs, relative to the file's
// directory; never an `imports` inside a table) and every directory its config_path lines list (colons
// between them), which become managed files.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSections } from '../../../../src/formats/sections.ts';
import { composeScript } from '../../../../src/node/compose.ts';
import { nodeScript } from '../../../../src/node/scripts.ts';
import { CONTAINERD_SHOW_PROPERTIES } from '../../../../src/runtimes/containerd/facts.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-containerd-config-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const etc = join(dir, 'etc', 'containerd');
const bin = join(dir, 'bin');
mkdirSync(join(etc, 'conf.d'), { recursive: true });
mkdirSync(bin);
const config = join(etc, 'config.toml');
// systemctl: containerd.service runs `containerd --config CONFIG`
writeFileSync(
  join(bin, 'systemctl'),
  `#!/bin/sh\nprintf '%s\\n' LoadState=loaded ActiveState=active 'ExecStart={ path=/usr/bin/containerd ; argv[]=/usr/bin/containerd --config ${config} ; ignore_errors=no }'\n`,
);
chmodSync(join(bin, 'systemctl'), 0o755);
// no containerd process: this machine's own (Docker's) is never asked
writeFileSync(join(bin, 'pidof'), '#!/bin/sh\nexit 1\n');
chmodSync(join(bin, 'pidof'), 0o755);
for (const name of ['a.toml', 'b.toml', 'c.toml']) writeFileSync(join(etc, 'conf.d', name), `# ${name}\n`);
writeFileSync(join(dir, 'abs.toml'), '# abs\n');

function read(text: string): { imports: string[]; managed: string[] } {
  writeFileSync(config, text);
  const script = composeScript(
    { CONTAINERD_SHOW: CONTAINERD_SHOW_PROPERTIES.join(' '), RUNTIMES_WANTED: 'containerd' },
    `PATH=${bin}:$PATH\nkubelet_mentions() { return 1; }\n`,
    nodeScript('runtimes/containerd/node.sh'),
    nodeScript('runtimes/containerd/facts.sh'),
    "section managed\nprintf '%s\\n' \"$managed_files\"\n",
  );
  const result = spawnSync('dash', ['-s'], { input: script, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  const sections = parseSections(result.stdout);
  return {
    imports: sections.filter((s) => s.name === 'containerd-import').map((s) => s.arg!.replace(`${dir}/`, '')),
    managed: (sections.find((s) => s.name === 'managed')?.content ?? '').split('\n').filter(Boolean).map((l) => l.replace(`${dir}/`, '')),
  };
}

describe("containerd's config file, read with one awk", () => {
  it('imports: both quotings, several lines, a glob, relative and absolute; none from inside a table', () => {
    const { imports } = read(`version = 2
imports = ["conf.d/a.toml",
  '${join(dir, 'abs.toml')}',
  "conf.d/[bc].toml"]

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"

[other]
  imports = ["conf.d/never.toml"]
`);
    expect(imports).toEqual(['etc/containerd/conf.d/a.toml', 'abs.toml', 'etc/containerd/conf.d/b.toml', 'etc/containerd/conf.d/c.toml']);
  });

  it('config_path: each directory of each line, single quotes too, beside the default one', () => {
    const { managed, imports } = read(`version = 3
[plugins.'io.containerd.cri.v1.images'.registry]
   config_path = '/etc/containerd/certs.d:/opt/registries'
[plugins."io.containerd.grpc.v1.cri".registry]
	config_path="/srv/certs.d"
# config_path = "/commented/out"
`);
    expect(imports).toEqual([]);
    const dirs = managed.filter((l) => l.endsWith('/*/hosts.toml')).map((l) => l.replace(/\/\*\/hosts\.toml$/, ''));
    expect(dirs).toEqual(['/etc/containerd/certs.d', '/etc/containerd/certs.d', '/opt/registries', '/srv/certs.d']);
    expect(managed[0]).toBe('etc/containerd/config.toml');
  });

  it('no config file: the default directory only', () => {
    rmSync(config);
    const script = composeScript(
      { CONTAINERD_SHOW: CONTAINERD_SHOW_PROPERTIES.join(' '), RUNTIMES_WANTED: 'containerd' },
      `PATH=${bin}:$PATH\nkubelet_mentions() { return 1; }\n`,
      nodeScript('runtimes/containerd/node.sh'),
      nodeScript('runtimes/containerd/facts.sh'),
      "section managed\nprintf '%s\\n' \"$managed_files\"\n",
    );
    const result = spawnSync('dash', ['-s'], { input: script, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const managed = (parseSections(result.stdout).find((s) => s.name === 'managed')?.content ?? '').split('\n').filter((l) => l.endsWith('/hosts.toml'));
    expect(managed).toEqual(['/etc/containerd/certs.d/*/hosts.toml']);
  });
});
