import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { floorKindOf, floorScript, runtimeOf, type FloorValues } from '../../../bench/floor.ts';
import { editDaemonJson } from '../../../src/runtimes/docker/daemon-json.ts';
import type { LabNode, NodeVariant } from '../../../test/lab/types.ts';

const BENCH = path.join(import.meta.dirname, '..', '..', '..', 'bench');
const VALUES: FloorValues = {
  httpHost: 'harbor-http.lab.local', httpIp: '10.213.7.2', httpsHost: 'harbor.lab.local', httpsIp: '10.213.7.3',
  caB64: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64'),
  dockerOpts: '--insecure-registry=harbor-http.lab.local --insecure-registry=10.233.0.0/18',
};
const node = (variant: NodeVariant, family: LabNode['family'] = 'debian'): LabNode =>
  ({ name: `${variant}1`, family, variant, address: '10.213.7.10', containerId: 'c' });

describe('the floor scripts', () => {
  it('each kind of node gets its own: the drop-in, daemon.json (docker-ce), containerd', () => {
    expect(floorKindOf(node('debian'))).toBe('drop-in');
    expect(floorKindOf(node('rhel', 'rhel'))).toBe('drop-in');
    expect(floorKindOf(node('docker-ce'))).toBe('daemon-json');
    expect(floorKindOf(node('ctrd17'))).toBe('containerd');
    expect(runtimeOf(node('docker-ce'))).toBe('docker');
    expect(runtimeOf(node('ctrd16'))).toBe('containerd');
    expect(floorScript('apply', node('docker-ce'), VALUES)).toContain('daemon_json > /etc/docker/daemon.json');
    expect(floorScript('check', node('docker-ce'), VALUES)).toContain('miss "daemon.json $value"');
    expect(() => floorKindOf(node('podman'))).toThrow(/podman1: the bench has no floor for podman nodes/);
  });

  it.each(readdirSync(BENCH).filter((f) => f.startsWith('floor') && f.endsWith('.sh') && f !== 'floor-lib.sh'))(
    '%s is clean POSIX sh for shellcheck, as sent (values, floor-lib.sh, the script)',
    (file) => {
      const kind = file.includes('check') ? 'check' : 'apply';
      const variant: NodeVariant = file.includes('containerd') ? 'ctrd16' : file.includes('daemon-json') ? 'docker-ce' : 'debian';
      const script = floorScript(kind, node(variant), VALUES);
      expect(script).toContain(file.replace(/\.sh$/, ''));
      // warnings and errors: the lib's functions a check script does not call are only "info"
      const r = spawnSync('shellcheck', ['--shell=sh', '--severity=warning', '-'], { input: script, encoding: 'utf8' });
      expect(r.error, 'shellcheck must be installed').toBeUndefined();
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    },
  );

  it('daemon_json writes the bytes dockhand writes to a docker-ce node without a daemon.json', () => {
    const head = floorScript('apply', node('docker-ce'), VALUES).split('\nset -e\n')[0]!;
    const r = spawnSync('sh', ['-c', `${head}\ndaemon_json`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const dockhand = editDaemonJson(null, {
      insecureRegistries: ['harbor-http.lab.local', '10.233.0.0/18'], registryMirrors: [], retiredInsecureRegistries: [],
    });
    expect(r.stdout).toBe(dockhand);
  });
});
