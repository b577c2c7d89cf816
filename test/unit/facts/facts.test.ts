import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../src/facts/index.ts';
import type { NodeFacts } from '../../../src/plan/facts.ts';
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
});
