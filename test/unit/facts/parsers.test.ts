import { describe, expect, it } from 'vitest';
import { parseDaemonJson } from '../../../src/runtimes/docker/daemon-json.ts';
import { parseDockerState } from '../../../src/runtimes/docker/info.ts';
import { parseDockerdVersion, referencesDockerOpts, supportsValidate } from '../../../src/runtimes/docker/facts.ts';
import { parseEnvFile } from '../../../src/formats/env-file.ts';
import { splitQuotedWords } from '../../../src/formats/shell-words.ts';
import {
  parseEnvironmentFiles,
  parseEnvironmentProperty,
  parseExecStartArgv,
  parseSystemctlShow,
} from '../../../src/formats/systemctl-show.ts';
import { unitEnvironment } from '../../../src/formats/unit-file.ts';
import { parseAssignments } from '../../../src/formats/unit-text.ts';

describe('systemctl show', () => {
  it('collects repeated properties (one ExecStart line per command)', () => {
    const props = parseSystemctlShow(
      'ExecStart={ path=/bin/true ; argv[]=/bin/true ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n' +
        'ExecStart={ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd ${DOCKER_OPTS} ; ignore_errors=yes ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n' +
        'System has not been booted with systemd\nLoadState=loaded\n',
    );
    expect((props.get('ExecStart') ?? []).map(parseExecStartArgv)).toEqual(['/bin/true', '/usr/bin/dockerd ${DOCKER_OPTS}']);
    expect(props.get('LoadState')).toEqual(['loaded']);
    expect(props.has('System has not been booted with systemd')).toBe(false);
  });

  it('reads the ExecStartEx-style flags= form and empty values', () => {
    expect(parseExecStartArgv('{ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd -H fd:// ; flags= ; start_time=[n/a] }')).toBe('/usr/bin/dockerd -H fd://');
    expect(parseExecStartArgv('')).toBeNull();
  });

  it('unquotes shell-quoted Environment values and flags [unprintable] ones', () => {
    expect(parseEnvironmentProperty('A=1 "B=x y \\"z\\" \\$HOME" C=')).toEqual({ env: { A: '1', B: 'x y "z" $HOME', C: '' }, unprintable: false });
    expect(parseEnvironmentProperty('A=1 [unprintable]')).toEqual({ env: { A: '1' }, unprintable: true });
    expect(parseEnvironmentProperty(null)).toEqual({ env: {}, unprintable: false });
  });

  it('strips (ignore_errors=...) from EnvironmentFiles', () => {
    expect(parseEnvironmentFiles(['/etc/default/docker (ignore_errors=yes)', '/etc/sysconfig/docker (ignore_errors=no)', ''])).toEqual([
      '/etc/default/docker',
      '/etc/sysconfig/docker',
    ]);
  });
});

describe('unit files', () => {
  it('joins continuation lines, skips comments inside them, tracks sections (one reader for every unit file)', () => {
    const settings = parseAssignments('[Unit]\nDescription=x\n[Service]\nExecStart=/a \\\n# comment\n  b \\\n  c\nType=notify');
    expect(settings.map((a) => [a.section, a.key, a.words.map((w) => w.value)])).toEqual([
      ['Unit', 'Description', ['x']],
      ['Service', 'ExecStart', ['/a', 'b', 'c']],
      ['Service', 'Type', ['notify']],
    ]);
  });

  it('a line ending in an escaped backslash does not continue, as systemd reads it', () => {
    const settings = parseAssignments('[Service]\nEnvironment="A=x\\\\"\nType=notify\n');
    expect(settings.map((a) => [a.key, a.words.map((w) => w.value)])).toEqual([
      ['Environment', ['A=x\\']],
      ['Type', ['notify']],
    ]);
  });

  it('applies Environment= across files in order; an empty assignment resets', () => {
    expect(
      unitEnvironment([
        '[Service]\nEnvironment=A=1 B=2\n',
        '[Service]\nEnvironment=\nEnvironment="C=x y" \'D=%%z\'\n[Install]\nEnvironment=E=ignored\n',
      ]),
    ).toEqual({ C: 'x y', D: '%z' });
  });
});

describe('environment files', () => {
  it('reads quoted, unquoted and continued values; skips comments', () => {
    expect(parseEnvFile('# c\n; c\nA="x y"\nB=plain value  \nC=\'q "z"\'\nexport D=1\nE=a\\\nb\n#DOCKER_OPTS=no\n')).toEqual({
      A: 'x y',
      B: 'plain value',
      C: 'q "z"',
      D: '1',
      E: 'ab',
    });
  });
});

describe('quoting', () => {
  it('splits shell words', () => {
    expect(splitQuotedWords(` a "b c" 'd e'f g\\ h `)).toEqual(['a', 'b c', 'd ef', 'g h']);
    expect(splitQuotedWords('""')).toEqual(['']);
  });
});

describe('daemon.json', () => {
  it('is absent', () => {
    expect(parseDaemonJson(null)).toEqual({ present: false, valid: true, error: null, keys: [], content: null, raw: null });
  });

  it('tolerates an empty file and a BOM', () => {
    expect(parseDaemonJson('\n')).toMatchObject({ present: true, valid: true, content: {} });
    expect(parseDaemonJson('\uFEFF{"debug": true}')).toMatchObject({ valid: true, keys: ['debug'] });
  });

  it('reports invalid JSON and non-objects as facts', () => {
    expect(parseDaemonJson('{"a": 1,}')).toMatchObject({ present: true, valid: false, error: expect.any(String), content: null, raw: '{"a": 1,}' });
    expect(parseDaemonJson('["a"]')).toMatchObject({ valid: false, error: 'the file must hold a JSON object' });
  });
});

describe('docker state (docker_state in src/runtimes/docker/node.sh)', () => {
  it('is null when the daemon could not be reached', () => {
    expect(parseDockerState('version \nerrors 1\nlive-restore false\ncontainers-running 0\n')).toBeNull();
    expect(parseDockerState('version 24.0.7\nerrors 2\n')).toBeNull();
    expect(parseDockerState('')).toBeNull();
    expect(parseDockerState(null)).toBeNull();
  });

  it('collects insecure CIDRs and registries, and mirrors', () => {
    const info = parseDockerState(
      ['version 24.0.7', 'errors 0', 'live-restore true', 'containers-running 3', 'insecure 127.0.0.0/8', 'insecure reg:5000', 'mirror https://m.example', ''].join('\n'),
    );
    expect(info).toEqual({
      serverVersion: '24.0.7',
      liveRestore: true,
      containersRunning: 3,
      insecureRegistries: ['127.0.0.0/8', 'reg:5000'],
      registryMirrors: ['https://m.example'],
      httpProxy: '',
      httpsProxy: '',
      noProxy: '',
    });
  });

  it('reads the proxy environment dockerd runs with', () => {
    const info = parseDockerState(
      ['version 20.10.24', 'errors 0', 'live-restore false', 'containers-running 0', 'http-proxy http://proxy.lab:8888', 'https-proxy http://xxxxx:xxxxx@proxy.lab:8888', 'no-proxy localhost,127.0.0.1', ''].join('\n'),
    );
    expect(info).toMatchObject({ httpProxy: 'http://proxy.lab:8888', httpsProxy: 'http://xxxxx:xxxxx@proxy.lab:8888', noProxy: 'localhost,127.0.0.1' });
    expect(parseDockerState('version 20.10.24\nerrors 0\nhttp-proxy <no value>\n')).toMatchObject({ httpProxy: '' });
  });
});

describe('docker helpers', () => {
  it('parses dockerd --version', () => {
    expect(parseDockerdVersion('Docker version 24.0.7, build 311b9ff\n')).toBe('24.0.7');
    expect(parseDockerdVersion('Docker version 20.10.24+dfsg1, build 5d6db84')).toBe('20.10.24+dfsg1');
    expect(parseDockerdVersion('sh: dockerd: not found')).toBeNull();
  });

  it('knows when dockerd --validate exists', () => {
    expect(supportsValidate('23.0.0', false)).toBe(true);
    expect(supportsValidate('20.10.24+dfsg1', false)).toBe(false);
    expect(supportsValidate('20.10.24', true)).toBe(true);
    expect(supportsValidate(null, false)).toBe(false);
  });

  it('detects $DOCKER_OPTS and ${DOCKER_OPTS} but not longer names', () => {
    expect(referencesDockerOpts('/usr/bin/dockerd $DOCKER_OPTS')).toBe(true);
    expect(referencesDockerOpts('/usr/bin/dockerd ${DOCKER_OPTS} -H fd://')).toBe(true);
    expect(referencesDockerOpts('/usr/bin/dockerd $DOCKER_OPTS_EXTRA')).toBe(false);
    expect(referencesDockerOpts('/usr/bin/dockerd -H fd://')).toBe(false);
  });
});
