import { RUNTIME_NAMES } from '../../../src/runtimes/index.ts';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadPlaybook, parsePlaybook, PlaybookError } from '../../../src/playbook/index.ts';
import { fixture } from './helpers.ts';

const CA_PEM = readFileSync(fixture('certs/harbor-ca.crt'), 'utf8').replace(/\r\n/g, '\n');

describe('loadPlaybook: the sample playbook', () => {
  it('reads the documented sample exactly as written', async () => {
    const file = fixture('sample.yml');
    const playbook = await loadPlaybook(file);
    expect(playbook.file).toBe(file);
    expect(playbook.warnings).toEqual([]);
    expect(playbook.plays).toEqual([
      {
        name: 'Trust the Harbor registries',
        hosts: 'k8s-cluster',
        registries: [
          { host: 'harbor-http.example.local', ip: '192.168.0.99', insecure: true, ca: undefined, state: 'present' },
          {
            host: 'harbor.example.local',
            ip: '192.168.0.100',
            insecure: false,
            ca: { file: fixture('certs/harbor-ca.crt'), pem: CA_PEM },
            state: 'present',
          },
        ],
        insecureRegistries: ['10.233.0.0/18'],
        registryMirrors: ['https://mirror.example.com'],
        absentInsecureRegistries: [],
        absentRegistryMirrors: [],
        dockerConfig: 'auto',
        runtimes: 'auto',
        restart: 'if-idle',
        liveRestore: 'keep',
        reachability: 'report',
        source: { file, index: 0, line: 1 },
      },
    ]);
  });

  it('reads a single-play mapping, with defaults, serial and max_fail_percentage', async () => {
    const file = fixture('single.yml');
    const { plays } = await loadPlaybook(file);
    expect(plays).toHaveLength(1);
    const play = plays[0]!;
    expect(play.name).toBe('play 1');
    expect(play.hosts).toBe('kube_node');
    expect(play.serial).toEqual([1, '25%']);
    expect(play.maxFailPercentage).toBe(10);
    expect(play.source).toEqual({ file, index: 0, line: 2 });
    expect(play.registries.map((r) => [r.host, r.insecure, r.state])).toEqual([
      ['registry.example.local:5000', false, 'present'],
      ['[fd00::10]:5000', true, 'present'],
      ['old.example.local', false, 'absent'],
    ]);
    expect(play.registries[0]!.ca!.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('accepts plays without registries when they set insecure_registries or registry_mirrors', async () => {
    const { plays } = await loadPlaybook(fixture('absent-registries.yml'));
    expect(plays.map((p) => [p.name, p.hosts, p.registries.length])).toEqual([
      ['Mirrors only', 'all', 0],
      ['play 2', 'kube_node', 0],
    ]);
    expect(plays[0]!.insecureRegistries).toEqual(['10.233.0.0/18', '[fd00::1]:5000', 'fd00::/64']);
    expect(plays[0]!.registryMirrors).toEqual(['https://mirror.example.com', 'http://10.0.0.5:5000/']);
    expect(plays[0]!.serial).toBeUndefined();
  });
});

describe('loadPlaybook: runtimes, restarts and mirrors', () => {
  it('reads runtimes, restart, live_restore and per-registry mirrors with their CA', async () => {
    const file = fixture('runtimes.yml');
    const { plays } = await loadPlaybook(file);
    const play = plays[0]!;
    expect(play.runtimes).toEqual(['docker', 'containerd']);
    expect(play.restart).toBe('never');
    expect(play.liveRestore).toBe('enable');
    expect(play.registries[0]!.mirrors).toEqual([
      { url: 'https://mirror.gcr.io', capabilities: ['pull', 'resolve'], skipVerify: false, ca: undefined },
      { url: 'https://mirror.example.local:5000', capabilities: ['pull'], skipVerify: true, ca: { file: fixture('certs/harbor-ca.crt'), pem: CA_PEM } },
    ]);
    expect(plays[1]!.runtimes).toBe('auto');
  });

  it('podman and crio name the containers-image runtime', async () => {
    for (const alias of ['podman', 'crio']) {
      const { plays } = await parsePlaybook(`hosts: all\nruntimes: [${alias}]\nregistries: [{host: harbor.local}]\n`, 'alias.yml', { runtimes: RUNTIME_NAMES });
      expect(plays[0]!.runtimes, alias).toEqual(['containers']);
    }
  });

  it('names a bad runtime, restart policy and mirror key with file, line and path', async () => {
    const text = 'hosts: all\nruntimes: [docker, rkt]\nrestart: sometimes\nregistries:\n  - host: docker.io\n    mirrors:\n      - {url: https://m.example, colour: blue}\n';
    const error = await parsePlaybook(text, 'bad.yml', { runtimes: RUNTIME_NAMES }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlaybookError);
    const message = (error as Error).message;
    expect(message).toContain('bad.yml:2: runtimes[1]: "rkt" must be one of "docker", "containerd", "containers"');
    expect(message).toContain('bad.yml:3: restart: "sometimes" must be one of "if-idle", "always", "never"');
    expect(message).toContain('bad.yml:7: registries[0].mirrors[0].colour: unknown key, with value "blue"; expected one of url, capabilities, skip_verify, ca');
  });
});

describe('loadPlaybook: CA files', () => {
  it('converts DER and CRLF PEM to normalised PEM, keeps bundles whole, warns of a CA about to expire', async () => {
    const file = fixture('ca-formats.yml');
    const { plays, warnings } = await loadPlaybook(file, { now: new Date('2029-12-20T00:00:00Z') });
    const [der, crlf, pem, bundle, soon] = plays[0]!.registries.map((r) => r.ca!);
    expect(der!.pem).toBe(CA_PEM);
    expect(crlf!.pem).toBe(CA_PEM);
    expect(pem!.pem).toBe(CA_PEM);
    expect(pem!.file).toBe(fixture('certs/harbor-ca.crt'));
    expect(bundle!.pem).toBe(CA_PEM + readFileSync(fixture('certs/other-ca.crt'), 'utf8'));
    expect(soon!.pem).not.toContain('\r');
    expect(warnings).toEqual([`${file}:12: plays[0].registries[4].ca: certs/soon-ca.crt: "CN=Soon-CA" expires on 2030-01-01`]);
  });

  it('gives no warning while the CA is more than 30 days from expiry', async () => {
    const { warnings } = await loadPlaybook(fixture('ca-formats.yml'), { now: new Date('2029-11-01T00:00:00Z') });
    expect(warnings).toEqual([]);
  });

  describe('with a home directory', () => {
    const saved = process.env['HOME'];
    let home: string | undefined;
    afterEach(async () => {
      process.env['HOME'] = saved;
      if (home !== undefined) await rm(home, { recursive: true, force: true });
    });

    it('expands ~/ in a CA path', async () => {
      home = await mkdtemp(join(tmpdir(), 'dockhand-home-'));
      await writeFile(join(home, 'ca.crt'), CA_PEM);
      process.env['HOME'] = home;
      const playbook = await parsePlaybook('hosts: all\nregistries:\n  - host: a.local\n    ca: ~/ca.crt\n', fixture('inline.yml'));
      expect(playbook.plays[0]!.registries[0]!.ca).toEqual({ file: join(home, 'ca.crt'), pem: CA_PEM });
    });
  });
});

describe('loadPlaybook: one registry in several plays', () => {
  it('accepts the same settings (compared case-insensitively, CA by content); absent needs only host', async () => {
    const { plays } = await loadPlaybook(fixture('cross-play-same.yml'));
    expect(plays.map((p) => p.hosts)).toEqual(['web', 'db:&k8s-cluster', 'all', 'web']);
    expect(plays[1]!.registries[0]!.ca!.pem).toBe(plays[0]!.registries[0]!.ca!.pem);
    // state: absent ignores ip, ca (not even read) and insecure
    expect(plays[2]!.registries[0]).toEqual({ host: 'old.example.local', ip: undefined, insecure: false, ca: undefined, state: 'absent' });
  });
});

describe('loadPlaybook: the playbook file itself', () => {
  it('names a missing playbook', async () => {
    const file = fixture('nope.yml');
    const error = (await loadPlaybook(file).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('E_PLAYBOOK');
    expect(error.message).toBe(`${file}: playbook not found`);
  });

  it('names a directory given as the playbook', async () => {
    const error = (await loadPlaybook(fixture('certs')).catch((e: unknown) => e)) as InputError;
    expect(error.message).toMatch(/playbook is a directory/);
  });

  it('throws a PlaybookError carrying every issue', async () => {
    const error = await parsePlaybook('hosts: all\nregistries:\n  - host: a..b\n  - host: c.local\n    ip: x\n', 'inline.yml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlaybookError);
    expect((error as PlaybookError).issues).toEqual([
      { line: 3, path: 'registries[0].host', message: '"a..b" contains ".."' },
      { line: 5, path: 'registries[1].ip', message: '"x" is not an IPv4 or IPv6 address' },
    ]);
    expect((error as PlaybookError).message).toBe(
      'inline.yml:3: registries[0].host: "a..b" contains ".."\ninline.yml:5: registries[1].ip: "x" is not an IPv4 or IPv6 address',
    );
  });

  it('reports an empty registries list alongside other mistakes of the play, and checks every play', async () => {
    const text = '- hostz: web\n  registries: []\n- hosts: db\n  registries:\n    - host: a.local\n      ip: nope\n';
    const error = (await parsePlaybook(text, 'inline.yml').catch((e: unknown) => e)) as PlaybookError;
    expect(error.issues.map((issue) => [issue.line, issue.path])).toEqual([
      [1, 'plays[0].hostz'],
      [2, 'plays[0].registries'],
      [6, 'plays[1].registries[0].ip'],
    ]);
  });

  it('truncates long values to 80 characters', async () => {
    const long = 'x'.repeat(300);
    const error = (await parsePlaybook(`hosts: all\nregistries:\n  - host: a.local\n    ip: ${long}\n`, 'inline.yml').catch((e: unknown) => e)) as PlaybookError;
    const shown = /ip: (\S+) is not/.exec(error.message)![1]!;
    expect(shown).toHaveLength(80);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('escapes control characters in values', async () => {
    const error = (await parsePlaybook('hosts: all\nregistries:\n  - host: "a.local\\nreboot"\n', 'inline.yml').catch((e: unknown) => e)) as PlaybookError;
    expect(error.message).toBe('inline.yml:3: registries[0].host: "a.local\\nreboot" contains whitespace');
  });
});

describe('parsePlaybook: YAML features', () => {
  it('resolves anchors and aliases', async () => {
    const text = 'hosts: all\nregistries:\n  - {host: a.local, ip: &ip 10.0.0.1}\n  - {host: b.local, ip: *ip}\nregistry_mirrors: [https://m.example.com]\n';
    const { plays } = await parsePlaybook(text, 'inline.yml');
    expect(plays[0]!.registries.map((r) => [r.host, r.ip])).toEqual([['a.local', '10.0.0.1'], ['b.local', '10.0.0.1']]);
    expect(plays[0]!.registryMirrors).toEqual(['https://m.example.com']);
  });

  it('refuses an alias bomb with an InputError', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${'b'.repeat(i)}: &${'a'.repeat(i + 1)} [${Array(10).fill(`*${'a'.repeat(i)}`).join(', ')}]`);
    const error = await parsePlaybook(`${lines.join('\n')}\n`, 'bomb.yml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^bomb\.yml:1: invalid YAML: /);
  });
});
