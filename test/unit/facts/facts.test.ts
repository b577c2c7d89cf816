import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../src/facts/index.ts';
import type { NodeFacts } from '../../../src/plan/facts.ts';
import type { ContainerdFacts } from '../../../src/runtimes/containerd/types.ts';
import type { DockerFacts } from '../../../src/runtimes/docker/types.ts';
import { loadFixtures } from './fixtures.ts';

const ANY_STRING = '<any string>';

describe('parseFacts (golden fixtures)', () => {
  const fixtures = loadFixtures<NodeFacts>('facts');

  it.each(fixtures)('$file: $name', ({ output, expected }) => {
    const actual = parseFacts(output);
    // JSON round trip: the report serialises facts as they are.
    const json = JSON.parse(JSON.stringify(actual)) as { runtimes: { docker: { daemonJson: { error: string | null } } } };
    if ((expected.runtimes['docker'] as DockerFacts).daemonJson.error === ANY_STRING) {
      expect(json.runtimes.docker.daemonJson.error).toEqual(expect.any(String));
      expect(json.runtimes.docker.daemonJson.error).not.toBe('');
      json.runtimes.docker.daemonJson.error = ANY_STRING;
    }
    expect(json).toEqual(expected);
  });

  it('Kubespray drop-ins give the same environment whether systemctl quotes values or hides them as [unprintable]', () => {
    const byFile = new Map(fixtures.map((f) => [f.file, parseFacts(f.output).runtimes['docker'] as DockerFacts]));
    const centos = byFile.get('kubespray-centos7.json');
    const rocky = byFile.get('kubespray-rocky9.json');
    expect(centos?.unit?.environment).toEqual(rocky?.unit?.environment);
    expect(centos?.dockerOpts).toContain('--insecure-registry=10.233.0.0/18');
    expect(centos?.dockerOpts).toContain('--log-opt max-file=5');
    expect(centos?.honoursDockerOpts).toBe(true);
  });

  it("reads the proxy each runtime is given (its unit's files, which file set what, dockhand's entries) and runs with", () => {
    const byFile = new Map(fixtures.map((f) => [f.file, parseFacts(f.output)]));
    const docker = byFile.get('lab-debian-behind-proxy.json')!.runtimes['docker'] as DockerFacts;
    expect(docker.proxy.unit?.sources['HTTPS_PROXY']).toBe('/etc/systemd/system/docker.service.d/http-proxy.conf');
    expect(docker.proxy.unit?.sources['NO_PROXY']).toBe('/etc/systemd/system/docker.service.d/zz-dockhand-no-proxy.conf');
    expect(docker.proxy.unit?.base['NO_PROXY']).toBe('localhost,127.0.0.1,.svc');
    expect(Object.keys(docker.proxy.unit?.dockhandEntries ?? {})).toEqual(['harbor-http.lab.local', 'harbor.lab.local']);
    expect(docker.proxy.running?.noProxy).toBe(docker.proxy.unit?.environment['NO_PROXY']);
    const containerd = byFile.get('lab-containerd-behind-proxy.json')!.runtimes['containerd'] as ContainerdFacts;
    expect(containerd.proxy.running).toEqual({ httpProxy: expect.stringMatching(/^http:\/\/[\d.]+:8888$/), httpsProxy: expect.stringMatching(/:8888$/), noProxy: 'localhost,127.0.0.1,.svc' });
    expect(containerd.proxy.unit?.base).toEqual(containerd.proxy.unit?.environment);
  });
});
