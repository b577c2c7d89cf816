import { describe, expect, it } from 'vitest';
import { maskCredentials, maskDeep } from '../../../src/report/mask.ts';
import { factsDocument } from '../../../src/report/facts.ts';
import { unifiedDiff } from '../../../src/report/converge.ts';

describe('fault 15: credentials read from nodes never show', () => {
  it('masks URL passwords and secret-looking assignments, keeping the rest readable', () => {
    expect(maskCredentials('Environment="HTTP_PROXY=http://ops:s3cr3t@proxy.local:3128" "NO_PROXY=10.0.0.0/8"')).toBe(
      'Environment="HTTP_PROXY=http://ops:********@proxy.local:3128" "NO_PROXY=10.0.0.0/8"',
    );
    expect(maskCredentials('{"proxies": {"https-proxy": "https://u:p%40ss@p:8080"}}')).toBe('{"proxies": {"https-proxy": "https://u:********@p:8080"}}');
    expect(maskCredentials('REGISTRY_TOKEN=abc123 other=1')).toBe('REGISTRY_TOKEN=******** other=1');
    expect(maskCredentials('https://harbor.local/v2/ and user@host')).toBe('https://harbor.local/v2/ and user@host');
    // containerd's config.toml as KubeKey writes it: registry.configs.<host>.auth
    expect(maskCredentials('  [x.configs."h".auth]\n    username = "dockhand"\n    password = "hunter22"\n    auth = \'ZG9jazpodW50ZXI=\'\n')).toBe(
      '  [x.configs."h".auth]\n    username = "dockhand"\n    password = "********"\n    auth = \'********\'\n',
    );
    expect(maskCredentials('+            password = "hunter22"')).toBe('+            password = "********"');
  });

  it('masks the logins of a k3s/RKE2 registries.yaml (configs.<host>.auth), in a diff too', () => {
    const yaml = 'configs:\n  "h":\n    auth:\n      username: dockhand\n      password: hunter22 # the login\n      auth: ZG9jazpodW50ZXI=\n      identity_token: "tok-hunter22"\n      token: tok2\n';
    const masked = maskCredentials(yaml);
    expect(masked).not.toContain('hunter22');
    expect(masked).not.toContain('ZG9jazpodW50ZXI=');
    expect(masked).not.toContain('tok2');
    expect(masked).toContain('username: dockhand');
    expect(maskCredentials('+      identity_token: tok-hunter22')).toBe('+      identity_token: ********');
  });

  it('facts --json masks drop-ins, environment and daemon.json', () => {
    const docker = {
      unit: { dropIns: [{ path: '/etc/systemd/system/docker.service.d/http-proxy.conf', content: '[Service]\nEnvironment="HTTPS_PROXY=http://u:hunter22@p:3128"\n' }], environment: { HTTPS_PROXY: 'http://u:hunter22@p:3128' } },
      daemonJson: { raw: '{"proxies":{"http-proxy":"http://u:hunter22@p:3128"}}', content: { proxies: { 'http-proxy': 'http://u:hunter22@p:3128' } } },
    };
    const containerd = { installed: false, config: { criDisabled: false } };
    const containers = { installed: false };
    const kubelet = { present: false, endpoint: null, runtime: null, source: null };
    const document = factsDocument([{ target: { name: 'n', address: 'a' }, status: 'ok', value: { runtimes: { docker, containerd, containers, k3s: { installed: false } }, kubelet }, error: null, durationMs: 1 } as never]);
    expect(JSON.stringify(document)).not.toContain('hunter22');
    expect(JSON.stringify(maskDeep(docker))).toContain('http://u:********@p:3128');
  });

  it('diffs of daemon.json mask proxy passwords in their context lines', () => {
    const before = '{\n  "proxies": {"http-proxy": "http://u:hunter22@p:3128"},\n  "a": 1\n}\n';
    const after = before.replace('"a": 1', '"a": 1,\n  "insecure-registries": ["h"]');
    expect(unifiedDiff('/etc/docker/daemon.json', before, after)).not.toContain('hunter22');
  });
});
