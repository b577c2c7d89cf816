import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../../src/errors.ts';
import { criConfig, registryConfigPath } from '../../../src/cri/status-info.ts';

const status = (info: Record<string, string>) => ({ conditions: [], info });

describe('the running CRI config from a verbose Status', () => {
  it('reads registry.configPath, empty when unset', () => {
    expect(registryConfigPath(status({ config: '{"registry":{"configPath":"/etc/containerd/certs.d"}}' }))).toBe('/etc/containerd/certs.d');
    expect(registryConfigPath(status({ config: '{"registry":{"configPath":"","mirrors":{"docker.io":{}}}}' }))).toBe('');
    expect(registryConfigPath(status({ config: '{"containerd":{}}' }))).toBe('');
  });

  it('refuses a status without config info, or with config that is not a JSON object', () => {
    expect(() => criConfig(status({}))).toThrow(/no "config" info \(ask for a verbose status/);
    expect(() => criConfig(status({ config: '{' }))).toThrow(DockhandError);
    expect(() => criConfig(status({ config: '[1]' }))).toThrow(/not a JSON object/);
  });
});
