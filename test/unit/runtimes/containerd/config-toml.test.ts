import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_PATH,
  editContainerdConfig,
  effectiveConfigPath,
  readContainerdConfig,
  type ConfigEditResult,
} from '../../../../src/runtimes/containerd/config-toml.ts';
import { renderHostsToml } from '../../../../src/runtimes/containerd/hosts-toml.ts';
import { fixture, golden, goldenDirectory } from './golden.ts';

/** The caller's flow: the directory already in config_path, else the default. */
function editAsCaller(text: string | null, containerdVersion: string | null): ConfigEditResult & { directory: string } {
  const directory = effectiveConfigPath(readContainerdConfig(text), containerdVersion)?.directory ?? DEFAULT_CONFIG_PATH;
  return { ...editContainerdConfig(text, { configPath: directory, containerdVersion }), directory };
}

interface EditCase {
  /** The golden directory under fixtures/expected/. */
  name: string;
  /** The input under fixtures/input/, or null for an absent file. */
  input: string | null;
  containerd: string | null;
  /** config_path after the edit, when it is not the hosts.toml directory itself (a kept list). */
  configPath?: string;
}

const EDITS: EditCase[] = [
  { name: 'absent-containerd-1.6', input: null, containerd: '1.6.20~ds1-1+deb12u3' },
  { name: 'absent-containerd-unknown', input: null, containerd: null },
  { name: 'absent-containerd-2.1', input: null, containerd: 'v2.1.4' },
  { name: 'debian12-containerd-1.6.20', input: 'debian12-containerd-1.6.20.toml', containerd: '1.6.20~ds1-1+deb12u3' },
  { name: 'debian13-containerd-1.7.24', input: 'debian13-containerd-1.7.24.toml', containerd: '1.7.24~ds1-6+deb13u1' },
  { name: 'debian12-bom', input: 'debian12-bom.toml', containerd: '1.6.20~ds1-1+deb12u3' },
  { name: 'containerd-1.6.20-config-default', input: 'containerd-1.6.20-config-default.toml', containerd: '1.6.20~ds1-1+deb12u3' },
  { name: 'containerd-1.7.24-config-default', input: 'containerd-1.7.24-config-default.toml', containerd: '1.7.24~ds1-6+deb13u1' },
  { name: 'kubekey-v3.1.12', input: 'kubekey-v3.1.12.toml', containerd: '1.7.13' },
  { name: 'kubekey-v3.1.12-remote-mirrors', input: 'kubekey-v3.1.12-remote-mirrors.toml', containerd: '1.7.13' },
  { name: 'kubekey-v3.1.12-crlf', input: 'kubekey-v3.1.12-crlf.toml', containerd: '1.7.13' },
  { name: 'kubekey-v3.1.12-no-final-newline', input: 'kubekey-v3.1.12-no-final-newline.toml', containerd: '1.7.13' },
  { name: 'containerd-docs-cri-config-v3', input: 'containerd-docs-cri-config-v3.toml', containerd: '2.0.5' },
  { name: 'containerd-man-config-v4', input: 'containerd-man-config-v4.toml', containerd: '2.3.0' },
  { name: 'containerd-docs-cri-config-v2-on-2.1', input: 'containerd-docs-cri-config-v2.toml', containerd: '2.1.4' },
  { name: 'mirrors-wildcard', input: 'mirrors-wildcard.toml', containerd: '1.7.24' },
  { name: 'containerd.io-docker-cri-enabled', input: 'containerd.io-docker-cri-enabled.toml', containerd: '1.7.27' },
  { name: 'comments-around-removed-tables', input: 'comments-around-removed-tables.toml', containerd: '1.7.24' },
  { name: 'dotted-keys', input: 'dotted-keys.toml', containerd: '1.7.24' },
  { name: 'inline-tables', input: 'inline-tables.toml', containerd: '1.7.24' },
  { name: 'edge-cases-bom-crlf', input: 'edge-cases-bom-crlf.toml', containerd: '1.7.24' },
];

describe('editContainerdConfig: golden edits', () => {
  for (const c of EDITS) {
    it(`${c.name}: the expected file and hosts.toml files, idempotent, meaning what it should`, () => {
      const input = c.input === null ? null : fixture(`input/${c.input}`);
      const before = readContainerdConfig(input);
      const result = editAsCaller(input, c.containerd);
      expect(result.blockers).toEqual([]);
      expect(result.text).not.toBe(input);
      const base = `expected/${c.name}`;
      goldenDirectory(base, true);
      expect(result.text).toBe(golden(`${base}/config.toml`, result.text!));
      const hostsFiles = [...result.migrated].map(([dir, spec]) => {
        const path = `certs.d/${dir}/hosts.toml`;
        expect(renderHostsToml(spec)).toBe(golden(`${base}/${path}`, renderHostsToml(spec)));
        return path;
      });
      expect(goldenDirectory(base, false)).toEqual(['config.toml', ...hostsFiles].sort());

      const again = editContainerdConfig(result.text, { configPath: result.directory, containerdVersion: c.containerd });
      expect(again).toEqual({ text: result.text, migrated: new Map(), blockers: [] });

      const after = readContainerdConfig(result.text);
      expect(after).toMatchObject({ valid: true, configPath: c.configPath ?? result.directory, legacyMirrors: [], legacyTls: [] });
      expect(after.legacyAuth).toEqual(before.legacyAuth);
      if (input !== null) {
        expect(result.text!.startsWith('\uFEFF')).toBe(input.startsWith('\uFEFF'));
        expect(/\n$/.test(result.text!)).toBe(/\n$/.test(input));
        if (input.includes('\r\n')) expect(result.text!.replace(/\r\n/g, '')).not.toContain('\n');
      }
    });
  }
});

interface KeptCase {
  input: string;
  containerd: string | null;
}

const UNCHANGED: KeptCase[] = [
  { input: 'kubespray-v2.27.0.toml', containerd: '1.7.24' },
  { input: 'kubespray-containerd-2.1.toml', containerd: '2.1.4' },
  { input: 'kubespray-containerd-2.3.toml', containerd: '2.3.0' },
  // A list is searched in order before 2.1: kept, and hosts.toml files go to its first directory.
  { input: 'containerd-docs-cri-config-v2.toml', containerd: '1.7.24' },
  { input: 'containerd-docs-cri-config-v2.toml', containerd: null },
  { input: 'config-path-elsewhere.toml', containerd: '1.6.20' },
];

describe('editContainerdConfig: files already right', () => {
  for (const c of UNCHANGED) {
    it(`${c.input} on containerd ${c.containerd ?? 'unknown'} comes back as the identical string`, () => {
      const input = fixture(`input/${c.input}`);
      const result = editAsCaller(input, c.containerd);
      expect(result).toEqual({ text: input, migrated: new Map(), blockers: [], directory: result.directory });
      expect(result.text).toBe(input);
    });
  }
});

const BLOCKED: { input: string; containerd: string | null; reason: RegExp }[] = [
  { input: 'kubespray-v2.12.0.toml', containerd: '1.2.10', reason: /no `version` line.*version 1.*\[plugins\.cri\].*containerd#5236/s },
  { input: 'containerd.io-docker.toml', containerd: '1.7.27', reason: /disabled_plugins/ },
  { input: 'invalid-unquoted-endpoint.toml', containerd: '1.7.24', reason: /not valid TOML \(line 4, column 15/ },
  { input: 'inline-configs-with-tls.toml', containerd: '1.7.24', reason: /inline table `plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\.configs` holds registry\.configs\."harbor\.example\.com"\.tls/ },
  { input: 'inline-registry.toml', containerd: '1.7.24', reason: /inline table `plugins\."io\.containerd\.grpc\.v1\.cri"\.registry`/ },
  { input: 'containerd-docs-registry-tls.toml', containerd: '1.7.24', reason: /relative path "ca\.pem"/ },
  { input: 'containerd-docs-registry-mirrors.toml', containerd: '1.7.24', reason: /"https:\/\/HostIP1:Port1" of test\.https-registry\.io is not an http\(s\) URL/ },
  { input: 'containerd-docs-cri-config-v3.toml', containerd: '1.7.24', reason: /version 3, which containerd 1\.7\.24 does not read/ },
];

describe('editContainerdConfig: small files', () => {
  it('fills an empty file like an absent one', () => {
    const edit = { configPath: DEFAULT_CONFIG_PATH, containerdVersion: '1.6.20' };
    expect(editContainerdConfig('', edit).text).toBe(editContainerdConfig(null, edit).text);
  });

  it('adds version = 2 to a version 1 file of comments only, then the registry table', () => {
    const result = editContainerdConfig('# nothing here yet', { configPath: DEFAULT_CONFIG_PATH, containerdVersion: '1.7.24' });
    expect(result.text).toBe('# nothing here yet\nversion = 2\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"');
  });

  it('keeps literal strings literal and the comment after the value', () => {
    const input = "version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '' # set by dockhand\n";
    expect(editContainerdConfig(input, { configPath: DEFAULT_CONFIG_PATH, containerdVersion: '2.1.4' }).text).toBe(
      "version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '/etc/containerd/certs.d' # set by dockhand\n",
    );
  });
});

describe('editContainerdConfig: files it will not touch', () => {
  for (const c of BLOCKED) {
    it(`${c.input}: a blocker, and nothing changes`, () => {
      const input = fixture(`input/${c.input}`);
      const result = editAsCaller(input, c.containerd);
      expect(result.blockers.join('\n')).toMatch(c.reason);
      expect(result.text).toBe(input);
      expect(result.migrated.size).toBe(0);
    });
  }

  it('refuses a hosts.toml directory other than the one config_path already names', () => {
    const input = fixture('input/config-path-elsewhere.toml');
    const result = editContainerdConfig(input, { configPath: DEFAULT_CONFIG_PATH, containerdVersion: '1.7.24' });
    expect(result.blockers).toEqual([
      'config_path is already "/etc/containerd/registry.d": hosts.toml files belong in /etc/containerd/registry.d, not /etc/containerd/certs.d',
    ]);
    expect(result.text).toBe(input);
  });

  it('refuses a config_path that is not one absolute directory', () => {
    for (const configPath of ['', 'certs.d', '/a:/b', '/etc/containerd/certs.d\n']) {
      expect(editContainerdConfig(null, { configPath, containerdVersion: null }).blockers[0]).toMatch(/must be one absolute directory/);
    }
  });
});

describe('readContainerdConfig', () => {
  it('reports an absent file', () => {
    expect(readContainerdConfig(null)).toMatchObject({ present: false, valid: true, version: null, registryTable: null, configPath: null });
  });

  it('reads Debian 12 package config: version 2, CRI on, no registry table', () => {
    expect(readContainerdConfig(fixture('input/debian12-containerd-1.6.20.toml'))).toEqual({
      present: true,
      valid: true,
      error: null,
      version: 2,
      criDisabled: false,
      registryTable: 'plugins."io.containerd.grpc.v1.cri".registry',
      configPath: null,
      legacyMirrors: [],
      legacyTls: [],
      legacyAuth: [],
    });
  });

  it("reads KubeKey's config: the deprecated mirrors, tls and auth", () => {
    expect(readContainerdConfig(fixture('input/kubekey-v3.1.12-remote-mirrors.toml'))).toMatchObject({
      version: 2,
      configPath: '/etc/containerd/certs.d',
      legacyMirrors: ['docker.io', 'harbor-http.lab.local'],
      legacyTls: ['harbor-http.lab.local', 'harbor.lab.local'],
      legacyAuth: ['harbor-http.lab.local', 'harbor.lab.local'],
    });
  });

  it('reads containerd 2.x files: the images plugin holds the registry table', () => {
    expect(readContainerdConfig(fixture('input/containerd-docs-cri-config-v3.toml'))).toMatchObject({
      version: 3,
      registryTable: 'plugins."io.containerd.cri.v1.images".registry',
      configPath: '',
    });
    expect(readContainerdConfig(fixture('input/kubespray-containerd-2.3.toml'))).toMatchObject({
      version: 4,
      registryTable: 'plugins."io.containerd.cri.v1.images".registry',
      configPath: '/etc/containerd/certs.d',
    });
  });

  it('reads a file without a version line as version 1, with plugins.cri', () => {
    expect(readContainerdConfig(fixture('input/kubespray-v2.12.0.toml'))).toMatchObject({
      version: 1,
      registryTable: 'plugins.cri.registry',
      legacyMirrors: ['docker.io'],
    });
  });

  it("reads Docker's containerd.io config: CRI disabled", () => {
    expect(readContainerdConfig(fixture('input/containerd.io-docker.toml'))).toMatchObject({ version: 1, criDisabled: true });
    expect(readContainerdConfig('version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n').criDisabled).toBe(true);
    expect(readContainerdConfig('version = 3\ndisabled_plugins = ["io.containerd.cri.v1.images"]\n').criDisabled).toBe(true);
  });

  it('reports a syntax error as a fact with its line, never a throw', () => {
    expect(readContainerdConfig(fixture('input/invalid-unquoted-endpoint.toml'))).toMatchObject({
      present: true,
      valid: false,
      error: 'line 4, column 15: invalid value',
      version: null,
    });
    expect(readContainerdConfig('version = "2"\n')).toMatchObject({ valid: false, error: '`version` is not a whole number' });
  });

  it('does not take the transfer service config_path for the CRI one', () => {
    expect(readContainerdConfig(fixture('input/containerd-1.7.24-config-default.toml')).configPath).toBe('');
  });
});

describe('effectiveConfigPath', () => {
  const facts = (configPath: string) => readContainerdConfig(`version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\nconfig_path = "${configPath}"\n`);

  it('is null while config_path is unset', () => {
    expect(effectiveConfigPath(facts(''), '1.7.24')).toBeNull();
    expect(effectiveConfigPath(readContainerdConfig(null), '1.7.24')).toBeNull();
  });

  it('keeps a list before 2.1 and rewrites it to its first directory from 2.1 on', () => {
    const list = '/etc/containerd/certs.d:/etc/docker/certs.d';
    expect(effectiveConfigPath(facts(list), '1.7.24')).toEqual({ directory: '/etc/containerd/certs.d', configPath: list });
    expect(effectiveConfigPath(facts(list), null)).toEqual({ directory: '/etc/containerd/certs.d', configPath: list });
    expect(effectiveConfigPath(facts(list), '2.0.5')).toEqual({ directory: '/etc/containerd/certs.d', configPath: list });
    expect(effectiveConfigPath(facts(list), '2.1.0')).toEqual({ directory: '/etc/containerd/certs.d', configPath: '/etc/containerd/certs.d' });
    expect(effectiveConfigPath(facts(list), 'containerd github.com/containerd/containerd/v2 v2.2.0 1c4457e')).toMatchObject({
      configPath: '/etc/containerd/certs.d',
    });
  });
});
