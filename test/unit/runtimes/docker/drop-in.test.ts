import { describe, expect, it } from 'vitest';
import { dockerOptsIn, editDockerOptions, registryFlagsOf } from '../../../../src/runtimes/docker/drop-in.ts';
import type { RegistryFlag } from '../../../../src/runtimes/docker/flags.ts';

const insecure = (value: string): RegistryFlag => ({ name: '--insecure-registry', value });
const mirror = (value: string): RegistryFlag => ({ name: '--registry-mirror', value });
const CREATED = '# Written by dockhand for registry options; dockhand deletes this file once it sets none.\n';

const KUBESPRAY = `[Service]
Environment="DOCKER_OPTS= --insecure-registry=10.233.0.0/18 --graph=/var/lib/docker --log-opt max-size=50m --log-opt max-file=5 \\
--iptables=false \\
--exec-opt native.cgroupdriver=systemd \\
 --data-root=/var/lib/docker"
`;

describe('editDockerOptions', () => {
  it('creates the drop-in when absent, marked as dockhand\'s, carrying the DOCKER_OPTS in effect from elsewhere', () => {
    expect(editDockerOptions(null, null, { ensure: [insecure('harbor.local')], remove: [] })).toBe(
      `${CREATED}[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry=harbor.local"\n`,
    );
    expect(editDockerOptions(null, '--log-level=warn', { ensure: [insecure('harbor.local')], remove: [] })).toBe(
      `${CREATED}# DOCKER_OPTS dockhand carried over from the unit: --log-level=warn\n[Service]\nEnvironment="DOCKER_OPTS=--log-level=warn --insecure-registry=harbor.local"\n`,
    );
  });

  it('issue 20, item 7: deletes the drop-in it created once it sets no registry option; keeps one an administrator wrote or changed', () => {
    const created = editDockerOptions(null, null, { ensure: [insecure('a'), mirror('https://m')], remove: [] })!;
    const fewer = editDockerOptions(created, null, { ensure: [mirror('https://m')], remove: [insecure('a')] })!;
    expect(fewer).toContain('DOCKER_OPTS=--registry-mirror=https://m"');
    expect(editDockerOptions(fewer, null, { ensure: [], remove: [mirror('https://m')] })).toBeNull();
    // what it carried over from the unit comes back by itself once the file is gone
    const carried = editDockerOptions(null, '--log-level=warn', { ensure: [insecure('a')], remove: [] })!;
    expect(editDockerOptions(carried, '--log-level=warn --insecure-registry=a', { ensure: [], remove: [insecure('a')] })).toBeNull();
    // an administrator's file, or dockhand's file an administrator added to, stays
    expect(editDockerOptions('[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry=a"\n', null, { ensure: [], remove: [insecure('a')] })).toBe('[Service]\nEnvironment="DOCKER_OPTS="\n');
    const added = created.replace('--insecure-registry=a', '--insecure-registry=a --iptables=false');
    expect(editDockerOptions(added, null, { ensure: [], remove: [insecure('a'), mirror('https://m')] })).toContain('DOCKER_OPTS=--iptables=false"');
    expect(editDockerOptions(`${created}LimitNOFILE=1024\n`, null, { ensure: [], remove: [insecure('a'), mirror('https://m')] })).toContain('LimitNOFILE=1024');
  });

  it('writes nothing when nothing is asked and no file exists', () => {
    expect(editDockerOptions(null, null, { ensure: [], remove: [insecure('x')] })).toBeNull();
  });

  it('adds to a Kubespray drop-in before the closing quote, every other byte kept', () => {
    const after = editDockerOptions(KUBESPRAY, null, { ensure: [insecure('harbor.local'), mirror('https://m.example.com')], remove: [] });
    expect(after).toBe(KUBESPRAY.replace('/var/lib/docker"\n', '/var/lib/docker --insecure-registry=harbor.local --registry-mirror=https://m.example.com"\n'));
    expect(dockerOptsIn(after)).toContain('--exec-opt native.cgroupdriver=systemd');
  });

  it('is idempotent and adds no duplicates, whichever form the flag is in', () => {
    const once = editDockerOptions(KUBESPRAY, null, { ensure: [insecure('harbor.local')], remove: [] })!;
    expect(editDockerOptions(once, null, { ensure: [insecure('harbor.local')], remove: [] })).toBe(once);
    expect(editDockerOptions(KUBESPRAY, null, { ensure: [insecure('10.233.0.0/18')], remove: [] })).toBe(KUBESPRAY);
    const spaced = '[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry harbor.local"\n';
    expect(editDockerOptions(spaced, null, { ensure: [insecure('harbor.local')], remove: [] })).toBe(spaced);
    expect(editDockerOptions(spaced, null, { ensure: [insecure('a'), insecure('a')], remove: [] })).toBe(
      '[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry harbor.local --insecure-registry=a"\n',
    );
  });

  it('edits the assignment that wins when several Environment= lines set DOCKER_OPTS', () => {
    const source = '[Service]\nEnvironment="DOCKER_OPTS=--old"\nEnvironment="OTHER=1" "DOCKER_OPTS=--iptables=false" "MORE=2"\n';
    expect(editDockerOptions(source, null, { ensure: [insecure('h')], remove: [] })).toBe(
      '[Service]\nEnvironment="DOCKER_OPTS=--old"\nEnvironment="OTHER=1" "DOCKER_OPTS=--iptables=false --insecure-registry=h" "MORE=2"\n',
    );
  });

  it('quotes an unquoted assignment it has to extend', () => {
    expect(editDockerOptions('[Service]\nEnvironment=DOCKER_OPTS=--iptables=false\n', null, { ensure: [insecure('h')], remove: [] })).toBe(
      '[Service]\nEnvironment="DOCKER_OPTS=--iptables=false --insecure-registry=h"\n',
    );
  });

  it('appends an assignment, under [Service], to a drop-in that sets other things', () => {
    expect(editDockerOptions('[Unit]\nAfter=network.target\n', '--a', { ensure: [insecure('h')], remove: [] })).toBe(
      '[Unit]\nAfter=network.target\n[Service]\nEnvironment="DOCKER_OPTS=--a --insecure-registry=h"\n',
    );
    expect(editDockerOptions('[Service]\nLimitNOFILE=1048576', null, { ensure: [insecure('h')], remove: [] })).toBe(
      '[Service]\nLimitNOFILE=1048576\nEnvironment="DOCKER_OPTS=--insecure-registry=h"\n',
    );
  });

  it('removes exactly the flags asked, in either form, and leaves the rest', () => {
    const source = '[Service]\nEnvironment="DOCKER_OPTS=--a --insecure-registry=h --b --insecure-registry h2 --c"\n';
    expect(editDockerOptions(source, null, { ensure: [], remove: [insecure('h'), insecure('h2')] })).toBe(
      '[Service]\nEnvironment="DOCKER_OPTS=--a --b --c"\n',
    );
    const last = '[Service]\nEnvironment="DOCKER_OPTS=--a --insecure-registry=h"\n';
    expect(editDockerOptions(last, null, { ensure: [], remove: [insecure('h')] })).toBe('[Service]\nEnvironment="DOCKER_OPTS=--a"\n');
  });

  it('removes a flag on a continuation line of its own without leaving an empty line', () => {
    const source = '[Service]\nEnvironment="DOCKER_OPTS=--a \\\n  --insecure-registry=h \\\n  --b"\n';
    expect(editDockerOptions(source, null, { ensure: [], remove: [insecure('h')] })).toBe(
      '[Service]\nEnvironment="DOCKER_OPTS=--a \\\n  --b"\n',
    );
  });

  it('treats mirrors with and without a trailing slash as the same', () => {
    const source = '[Service]\nEnvironment="DOCKER_OPTS=--registry-mirror=https://m.example.com/"\n';
    expect(editDockerOptions(source, null, { ensure: [mirror('https://m.example.com')], remove: [] })).toBe(source);
  });

  it('ignores commented-out assignments', () => {
    const source = '[Service]\n# Environment="DOCKER_OPTS=--insecure-registry=h"\n';
    expect(editDockerOptions(source, null, { ensure: [insecure('h')], remove: [] })).toBe(
      `${source}Environment="DOCKER_OPTS=--insecure-registry=h"\n`,
    );
  });
});

describe('registryFlagsOf', () => {
  it('reads both flag forms and skips the rest', () => {
    expect(registryFlagsOf(' --graph=/x --insecure-registry=a --log-opt max-size=50m --registry-mirror https://m --insecure-registry b')).toEqual([
      insecure('a'),
      mirror('https://m'),
      insecure('b'),
    ]);
  });
});
