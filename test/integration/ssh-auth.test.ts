// How dockhand logs in, driven through `dockhand facts --json` as a user runs it against the lab: a
// password (with sudo), an encrypted private key and DOCKHAND_SSH_KEY_PASSPHRASE, an ssh-agent, wrong
// credentials, and known_hosts in accept-new and strict modes. Every child runs with HOME set to an empty
// directory and no ssh-agent unless the test says otherwise, so no key of this machine is ever picked up;
// each run that can has a healthy node (root with the lab key) that must come out ok. Every
// authorized_keys line added here is removed again.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir } from '../support/lab-files.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const rhel = lab.nodes.find((n) => n.family === 'rhel')!;
const dir = scratchDir('ssh-auth');
/** An empty HOME for every child: no ~/.ssh/id_* and no ~/.ssh/known_hosts to fall back on. */
const emptyHome = join(dir, 'home');
mkdirSync(emptyHome, { mode: 0o700 });

interface HostReport {
  name: string;
  address: string;
  status: string;
  os_family: string | null;
  error: string | null;
}
interface Report {
  hosts: HostReport[];
}

/**
 * The child's environment: HOME empty, no agent, no passphrase (unless given). execa merges this over
 * the test process's environment; an undefined value leaves the variable out of the child's.
 */
function env(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return { HOME: emptyHome, SSH_AUTH_SOCK: '', DOCKHAND_SSH_KEY_PASSPHRASE: undefined, ...extra } as unknown as Record<string, string>;
}

const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

function parse(run: CliRun): Report {
  try {
    return JSON.parse(run.stdout) as Report;
  } catch {
    throw new Error(`dockhand did not print a JSON document\n${said(run)}`);
  }
}

function host(report: Report, name: string): HostReport {
  const found = report.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`${name} is not in the report: ${JSON.stringify(report.hosts.map((h) => h.name))}`);
  return found;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** An INI inventory of these host lines, with no group vars: every line says how it logs in. */
const inventory = (name: string, hostLines: readonly string[]) => file(name, ['[nodes]', ...hostLines, ''].join('\n'));

/** The line of a node logging in as root with the lab key: the healthy node of a run. */
const rootLine = (node: LabNode) => `${node.name} ansible_host=${node.address} ansible_user=root ansible_ssh_private_key_file=${lab.sshKeyPath}`;

/** A known_hosts file of its own for one test (empty unless given). */
const knownHostsFile = (name: string, text = '') => file(`${name}-known_hosts`, text);

const facts = (inventoryFile: string, knownHosts: string, childEnv: Record<string, string>, extra: readonly string[] = []) =>
  dockhand(['facts', '-i', inventoryFile, '--json', '--known-hosts', knownHosts, ...extra], childEnv);

function expectOk(report: Report, node: LabNode, run: CliRun): void {
  expect(host(report, node.name), said(run)).toMatchObject({ status: 'ok', error: null, address: node.address, os_family: node.family });
}

function expectAbsent(run: CliRun, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(run.stdout.includes(secret), 'a secret is in stdout').toBe(false);
    expect(run.stderr.includes(secret), 'a secret is in stderr').toBe(false);
  }
}

const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);

async function must(node: LabNode, script: string, input?: string): Promise<string> {
  const result = await sh(node, script, input);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

/** A fresh ed25519 key pair in the scratch directory; `passphrase` '' for an unencrypted one. */
function newKey(name: string, passphrase: string): { privateKey: string; publicKey: string } {
  const privateKey = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `dockhand-ssh-auth-${name}`, '-f', privateKey], { stdio: 'ignore' });
  return { privateKey, publicKey: readFileSync(`${privateKey}.pub`, 'utf8').trim() };
}

describe('ssh logins, through the CLI', () => {
  it('password login: ops with ansible_password and sudo, no key anywhere, is ok and the password never shows (also at -vvv)', async () => {
    const target = debian[4]!;
    const healthy = debian[5]!;
    const opsPassword = readSecret(lab.opsPasswordFile);
    expect(readdirSync(emptyHome)).toEqual([]);
    const inv = inventory('password.ini', [
      `${target.name} ansible_host=${target.address} ansible_user=ops ansible_password=${opsPassword} ansible_become=true ansible_become_password=${opsPassword}`,
      rootLine(healthy),
    ]);
    for (const extra of [[], ['-vvv']]) {
      const run = await facts(inv, knownHostsFile(`password${extra.join('')}`), env(), extra);
      if (run.exitCode !== 0) {
        const sshd = await sh(target, 'sshd -T 2>&1 | grep -i -E "passwordauth|kbdinteractive"');
        throw new Error(`password login failed; sshd on ${target.name} says:\n${sshd.output}\n${said(run)}`);
      }
      const report = parse(run);
      expectOk(report, target, run);
      expectOk(report, healthy, run);
      expectAbsent(run, [opsPassword]);
      if (extra.length > 0) expect(run.stderr.length, '-vvv printed nothing').toBeGreaterThan(0);
    }
  });

  describe('an encrypted private key with a passphrase', () => {
    const target = rhel;
    const healthy = debian[6]!;
    const passphrase = `pass-${randomBytes(12).toString('hex')}`;
    const wrongPassphrase = `wrong-${randomBytes(12).toString('hex')}`;
    const marker = `dockhand-ssh-auth-encrypted-${randomBytes(6).toString('hex')}`;
    let key: { privateKey: string; publicKey: string };
    let inv: string;

    beforeAll(async () => {
      key = newKey('encrypted_ed25519', passphrase);
      expect(readFileSync(key.privateKey, 'utf8')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
      // the key really is encrypted: without the passphrase ssh-keygen cannot read it
      expect(() => execFileSync('ssh-keygen', ['-y', '-P', '', '-f', key.privateKey], { stdio: 'ignore' })).toThrow();
      await must(target, 'cat >> /root/.ssh/authorized_keys', `${key.publicKey.replace(/\S+$/, marker)}\n`);
      inv = inventory('encrypted.ini', [
        `${target.name} ansible_host=${target.address} ansible_user=root ansible_ssh_private_key_file=${key.privateKey}`,
        rootLine(healthy),
      ]);
    });

    afterAll(async () => {
      await must(
        target,
        `f=/root/.ssh/authorized_keys; grep -v -F '${marker}' "$f" > "$f.dockhand-test" || true; cat "$f.dockhand-test" > "$f"; rm -f "$f.dockhand-test"; ! grep -q -F '${marker}' "$f"`,
      );
    });

    it('encrypted key: with DOCKHAND_SSH_KEY_PASSPHRASE set the node is ok and the passphrase never shows (also at -vvv)', async () => {
      for (const extra of [[], ['-vvv']]) {
        const run = await facts(inv, knownHostsFile(`encrypted-ok${extra.join('')}`), env({ DOCKHAND_SSH_KEY_PASSPHRASE: passphrase }), extra);
        expect(run.exitCode, said(run)).toBe(0);
        const report = parse(run);
        expectOk(report, target, run);
        expectOk(report, healthy, run);
        expectAbsent(run, [passphrase]);
      }
    });

    it('encrypted key: without DOCKHAND_SSH_KEY_PASSPHRASE the node is unreachable, saying the key is encrypted and naming the variable', async () => {
      const run = await facts(inv, knownHostsFile('encrypted-none'), env());
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const h = host(report, target.name);
      expect(h.status, said(run)).toBe('unreachable');
      expect(h.error, said(run)).toMatch(/encrypted/);
      expect(h.error, said(run)).toContain('DOCKHAND_SSH_KEY_PASSPHRASE');
      expect(h.error, said(run)).toContain(key.privateKey);
      expectOk(report, healthy, run);
      expectAbsent(run, [passphrase]);
    });

    it('encrypted key: with a wrong passphrase the node is unreachable with "passphrase is wrong", and neither passphrase shows', async () => {
      const run = await facts(inv, knownHostsFile('encrypted-wrong'), env({ DOCKHAND_SSH_KEY_PASSPHRASE: wrongPassphrase }), ['-vvv']);
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const h = host(report, target.name);
      expect(h.status, said(run)).toBe('unreachable');
      expect(h.error, said(run)).toMatch(/passphrase is wrong/);
      expectOk(report, healthy, run);
      expectAbsent(run, [passphrase, wrongPassphrase]);
    });
  });

  describe('ssh-agent', () => {
    const target = debian[7]!;
    const healthy = debian[4]!;
    const socket = join(dir, 'agent.sock');
    let agent: ChildProcess | undefined;

    beforeAll(async () => {
      agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore', env: { ...process.env, HOME: emptyHome } });
      const deadline = Date.now() + 10_000;
      while (!existsSync(socket)) {
        if (Date.now() > deadline || agent.exitCode !== null) throw new Error(`ssh-agent did not create ${socket}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      execFileSync('ssh-add', [lab.sshKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket, HOME: emptyHome }, stdio: 'pipe' });
      const listed = execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      expect(listed).toMatch(/ED25519/);
    });

    afterAll(async () => {
      if (agent && agent.exitCode === null && agent.signalCode === null) {
        const exited = new Promise((r) => agent!.once('exit', r));
        agent.kill('SIGTERM');
        await exited;
      }
    });

    it('ssh-agent: with SSH_AUTH_SOCK and no key file anywhere, the node logs in through the agent', async () => {
      const inv = inventory('agent.ini', [`${target.name} ansible_host=${target.address} ansible_user=root`, rootLine(healthy)]);
      const run = await facts(inv, knownHostsFile('agent'), env({ SSH_AUTH_SOCK: socket }));
      expect(run.exitCode, said(run)).toBe(0);
      const report = parse(run);
      expectOk(report, target, run);
      expectOk(report, healthy, run);
    });

    it('ssh-agent: with no agent, no key file, no password and an empty HOME, the node is unreachable: no way to log in', async () => {
      const inv = inventory('no-way.ini', [`${target.name} ansible_host=${target.address} ansible_user=root`, rootLine(healthy)]);
      const run = await facts(inv, knownHostsFile('no-way'), env());
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const h = host(report, target.name);
      expect(h.status, said(run)).toBe('unreachable');
      expect(h.error, said(run)).toMatch(/no way to log in|authentication as root/);
      expect(h.error, said(run)).toContain(target.name);
      expectOk(report, healthy, run);
    });
  });

  describe('wrong credentials', () => {
    const target = debian[5]!;
    const healthy = debian[6]!;

    it('wrong password: ops with a wrong ansible_password is unreachable with an authentication error naming ops; the other node is ok', async () => {
      const wrong = `WRONG-sentinel-${randomBytes(9).toString('hex')}`;
      const opsPassword = readSecret(lab.opsPasswordFile);
      const inv = inventory('wrong-password.ini', [
        `${target.name} ansible_host=${target.address} ansible_user=ops ansible_password=${wrong} ansible_become=true ansible_become_password=${opsPassword}`,
        rootLine(healthy),
      ]);
      const run = await facts(inv, knownHostsFile('wrong-password'), env(), ['-vvv']);
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const h = host(report, target.name);
      expect(h.status, said(run)).toBe('unreachable');
      expect(h.error, said(run)).toMatch(/authentication/i);
      expect(h.error, said(run)).toMatch(/\bops\b/);
      expectOk(report, healthy, run);
      expectAbsent(run, [wrong, opsPassword]);
    });

    it('wrong key: root with a key the node does not accept is unreachable with an authentication error naming root; the other node is ok', async () => {
      const stranger = newKey('stranger_ed25519', '');
      const inv = inventory('wrong-key.ini', [
        `${target.name} ansible_host=${target.address} ansible_user=root ansible_ssh_private_key_file=${stranger.privateKey}`,
        rootLine(healthy),
      ]);
      const run = await facts(inv, knownHostsFile('wrong-key'), env());
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const h = host(report, target.name);
      expect(h.status, said(run)).toBe('unreachable');
      expect(h.error, said(run)).toMatch(/authentication/i);
      expect(h.error, said(run)).toMatch(/\broot\b/);
      expectOk(report, healthy, run);
    });
  });

  it('known_hosts: strict refuses a host key not in the file, accept-new records it, then strict accepts it', async () => {
    const target = debian[7]!;
    const healthy = debian[5]!;
    const knownHosts = knownHostsFile('strict');
    const linesFor = (address: string) =>
      readFileSync(knownHosts, 'utf8').split('\n').filter((l) => l.split(' ')[0] === address);

    // the healthy node's key first (accept-new, it alone), so a strict run has one node it knows
    const seed = await facts(inventory('strict-seed.ini', [rootLine(healthy)]), knownHosts, env());
    expect(seed.exitCode, said(seed)).toBe(0);
    expect(linesFor(healthy.address)).toHaveLength(1);
    expect(linesFor(target.address)).toEqual([]);

    const inv = inventory('strict.ini', [rootLine(target), rootLine(healthy)]);
    const before = readFileSync(knownHosts, 'utf8');
    const strict = await facts(inv, knownHosts, env(), ['--host-key-checking', 'strict']);
    expect(strict.exitCode, said(strict)).toBe(4);
    let report = parse(strict);
    const refused = host(report, target.name);
    expect(refused.status, said(strict)).toBe('unreachable');
    expect(refused.error, said(strict)).toMatch(/host key/);
    expect(refused.error, said(strict)).toMatch(/is not in/);
    expect(refused.error, said(strict)).toContain(knownHosts);
    expectOk(report, healthy, strict);
    expect(readFileSync(knownHosts, 'utf8'), 'strict mode wrote to known_hosts').toBe(before);

    // default (accept-new): the unknown key is recorded
    const acceptNew = await facts(inv, knownHosts, env());
    expect(acceptNew.exitCode, said(acceptNew)).toBe(0);
    report = parse(acceptNew);
    expectOk(report, target, acceptNew);
    expectOk(report, healthy, acceptNew);
    expect(linesFor(target.address)).toHaveLength(1);
    expect(linesFor(healthy.address)).toHaveLength(1);

    // strict again: both keys are known now
    const strictAgain = await facts(inv, knownHosts, env(), ['--host-key-checking', 'strict']);
    expect(strictAgain.exitCode, said(strictAgain)).toBe(0);
    report = parse(strictAgain);
    expectOk(report, target, strictAgain);
    expectOk(report, healthy, strictAgain);
    expect(linesFor(target.address)).toHaveLength(1);
  });
});
