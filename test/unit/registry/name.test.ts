/**
 * One registry value written two ways is one value everywhere: in the drop-in editor, in daemon.json, in what
 * the running dockerd is checked for, and in the playbook's own checks.
 */
import { describe, expect, it } from 'vitest';
import { hostName, hostPort, insecureKey, mirrorKey, pinnedName, registryKey, sameInsecure, sameMirror, uniqueBy } from '../../../src/registry/name.ts';
import { editDockerOptions } from '../../../src/runtimes/docker/drop-in.ts';
import { editDaemonJson } from '../../../src/runtimes/docker/daemon-json.ts';
import { missingEffect } from '../../../src/runtimes/docker/effect.ts';

describe('a registry name, one home', () => {
  it('hosts, ports and pinned names', () => {
    expect(registryKey('Harbor.Lab:5000')).toBe('harbor.lab:5000');
    expect(hostName('harbor.local:5000')).toBe('harbor.local');
    expect(hostName('[fd00::1]:5000')).toBe('fd00::1');
    expect(hostName('fd00::1')).toBe('fd00::1');
    expect(hostPort('harbor.local:5000')).toBe(5000);
    expect(hostPort('[fd00::1]:443')).toBe(443);
    expect(hostPort('harbor.local')).toBeUndefined();
    expect(pinnedName('Harbor.Local:5000')).toBe('harbor.local');
  });

  it('mirrors compare as dockerd keeps them: scheme and host in any case, default port and trailing slashes dropped', () => {
    expect(sameMirror('https://Mirror.Example.com/', 'https://mirror.example.com')).toBe(true);
    expect(sameMirror('https://mirror.example.com:443', 'https://mirror.example.com/')).toBe(true);
    expect(sameMirror('https://mirror.example.com/Path/', 'https://mirror.example.com/path')).toBe(false);
    expect(sameMirror('http://mirror.example.com', 'https://mirror.example.com')).toBe(false);
    expect(mirrorKey('HTTPS://M.example.com//')).toBe('https://m.example.com');
  });

  it('insecure entries: hosts in any case, CIDR blocks by their network', () => {
    expect(sameInsecure('Harbor.lab', 'harbor.lab')).toBe(true);
    expect(sameInsecure('10.233.1.7/18', '10.233.0.0/18')).toBe(true);
    expect(insecureKey('FD00:0::1/64')).toBe('fd00::/64');
    expect(uniqueBy(['Harbor.lab', 'harbor.lab', 'other'], insecureKey)).toEqual(['Harbor.lab', 'other']);
  });
});

describe('every editor compares through it', () => {
  it('the drop-in: no doubled flag beside another spelling of the same mirror or registry', () => {
    const current = '[Service]\nEnvironment="DOCKER_OPTS=--registry-mirror=https://Mirror.Example.com/ --insecure-registry=Harbor.lab"\n';
    const after = editDockerOptions(current, null, {
      ensure: [
        { name: '--registry-mirror', value: 'https://mirror.example.com' },
        { name: '--insecure-registry', value: 'harbor.lab' },
      ],
      remove: [],
    });
    expect(after).toBe(current);
  });

  it('the drop-in: taking a registry back removes it in whichever case it was written', () => {
    const current = '[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry=Harbor.lab --log-level=warn"\n';
    const after = editDockerOptions(current, null, { ensure: [], remove: [{ name: '--insecure-registry', value: 'harbor.lab' }] });
    expect(after).toBe('[Service]\nEnvironment="DOCKER_OPTS=--log-level=warn"\n');
  });

  it('daemon.json and the running dockerd agree with the drop-in', () => {
    const json = '{"registry-mirrors": ["https://Mirror.Example.com/"], "insecure-registries": ["Harbor.lab"]}\n';
    expect(editDaemonJson(json, { insecureRegistries: ['harbor.lab'], registryMirrors: ['https://mirror.example.com'], retiredInsecureRegistries: [] })).toBe(json);
    expect(missingEffect({ running: true, insecureRegistries: ['Harbor.lab'], registryMirrors: ['https://Mirror.Example.com/'] }, {
      insecureRegistries: ['harbor.lab'],
      registryMirrors: ['https://mirror.example.com'],
    })).toEqual([]);
  });
});
