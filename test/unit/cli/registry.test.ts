// `dockhand registry ...` refuses bad input before it talks to any registry: exit 1, the option named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockhand } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-registry-cli-'));
const latin1 = join(dir, 'latin1.yml');
writeFileSync(latin1, Buffer.from('# caf\xe9\n- hosts: all\n  registries:\n    - host: a.example.com\n', 'latin1'));
const broken = join(dir, 'broken.yml');
writeFileSync(broken, '- hosts: all\n  registries: [\n');

describe('dockhand registry: bad input is refused before any registry is asked', () => {
  it.each([
    [['registry', 'probe', 'ftp://harbor.example.com'], /URL: "ftp:\/\/harbor.example.com" is a URL with scheme "ftp"/],
    [['registry', 'probe', 'harbor.example.com', '--ip', '192.168.0.999'], /--ip: "192.168.0.999" is not an IPv4 or IPv6 address/],
    [['registry', 'probe', 'harbor.example.com', '--ca', '/nonexistent/ca.crt'], /--ca: \/nonexistent\/ca.crt: not found/],
    [['registry', 'add', 'harbor.example.com', '-p', '/tmp/x.yml', '--ca-fingerprint', 'AB:CD'], /--ca-fingerprint: "AB:CD" is not a SHA-256 fingerprint/],
    [['registry', 'add', 'harbor.example.com', '-p', '/tmp/x.yml', '--verify', 'a:1', '--username-env', 'U'], /--username-env and --password-env go together/],
    [['registry', 'add', 'harbor.example.com', '-p', '/tmp/x.yml', '--username-env', '1U', '--password-env', 'P'], /--username-env: "1U"/],
    [['registry', 'secret', 'harbor.example.com', '--name', 'Harbor_Pull', '--username', 'u'], /--name: "Harbor_Pull" is not a Kubernetes object name/],
    [['registry', 'secret', 'harbor.example.com', '--name', 'pull', '-n', 'a.b', '--username', 'u'], /--namespace: "a.b" is not a Kubernetes namespace name/],
    [['registry', 'secret', 'harbor.example.com', '--name', 'pull'], /give the registry login with --username/],
    [['registry', 'secret', 'harbor.example.com', '--name', 'pull', '--username', 'u'], /DOCKHAND_REGISTRY_PASSWORD holds no password: set it, or pipe the password in with --password-stdin \(never on the command line\)/],
  ])('%j', async (args, message) => {
    const run = await dockhand(args);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it.each([
    [latin1, /latin1\.yml: it is not UTF-8 text: dockhand edits YAML in UTF-8 only; nothing written/],
    [broken, /broken\.yml:3: invalid YAML: .*: fix it first; nothing written/],
  ])('a playbook it cannot edit (%s) is refused before the registry is asked, and left as it was', async (file, message) => {
    const before = readFileSync(file);
    const run = await dockhand(['registry', 'add', 'harbor.example.com', '-p', file, '--ca-fingerprint', 'AB'.repeat(32)]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(readFileSync(file)).toEqual(before);
  });

  it('takes no password on the command line, and not --ca with --ca-fingerprint', async () => {
    const password = await dockhand(['registry', 'secret', 'harbor.example.com', '--name', 'pull', '--password', 'secret']);
    expect(password.exitCode).toBe(1);
    expect(password.stderr).toMatch(/unknown option '--password'/);
    const both = await dockhand(['registry', 'add', 'harbor.example.com', '-p', 'x.yml', '--ca', 'a.crt', '--ca-fingerprint', 'AB']);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toMatch(/cannot be used with option '--ca-fingerprint/);
  });

  it('with --json, an input error is a JSON document', async () => {
    const run = await dockhand(['registry', 'probe', 'harbor.example.com:99999', '--json']);
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'E_USAGE', file: 'URL' } });
  });

  it('says what it does in --help', async () => {
    const help = await dockhand(['registry', '--help']);
    expect(help.stdout).toMatch(/probe .*\n.*add .*\n.*secret /s);
    expect((await dockhand(['registry', 'add', '--help'])).stdout).toMatch(/--ca-fingerprint <sha256>/);
  });
});
