// Onboarding a registry from nothing but its URL, on the lab: probe names each lab registry (plain http,
// https with the private CA, the Harbor stand-in, a port with nothing, a TLS port spoken to in http);
// registry add pins the CA by fingerprint and writes the entries; apply converges Docker and containerd
// nodes and the pulls work; a second add changes nothing; a wrong fingerprint, a CA that does not sign, an
// expired chain and a name not in the certificate are refused with what to do, nothing written; the pull
// secret is kubectl's, and the login check tells a wrong password from a registry that needs none.
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { isContainerdNode, loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { VARIANTS } from '../lab/variants.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const front = lab.registries.harborFront;
const { http, https } = lab.registries;
const password = readSecret(https.passwordFile);
// one node of each Docker and containerd kind the lab has: Debian, the RHEL stand-in, docker-ce, each containerd
// kind (podman and the k3s stand-in have tests of their own)
const nodes = [...new Map(lab.nodes.filter((n) => ['docker', 'containerd'].includes(VARIANTS[n.variant].runtime)).map((n) => [n.variant, n] as const)).values()];
const dir = scratchDir('onboard');
const book = join(dir, 'playbook', 'site.yml');
const elsewhere = scratchDir('onboard-other');
const knownHosts = join(dir, 'known_hosts');
const env = { LAB_USER: https.username, LAB_PASSWORD: password };
const tiny = `${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
/** The lab CA's fingerprint as `openssl x509 -fingerprint -sha256` prints it, as a user would paste it. */
const fingerprintOf = (file: string) => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', file], { encoding: 'utf8' }).trim();
const labCaFingerprint = fingerprintOf(https.caCertPath);
/** A CA that signs nothing in the lab. */
const otherCa = join(elsewhere, 'other.crt');

interface Probe {
  registry: string | undefined;
  verdict: { kind: string; url?: string; said: string; problems: string[] };
  endpoints: { url: string; kind: string; status?: number; said: string; challenge?: { scheme: string; service?: string; realm?: string }; location?: string; tls?: { trustedHere: boolean; nameInCertificate: boolean; chain: { subject: string }[] } }[];
  harbor?: { detected: boolean; version?: string; apiVersion?: string; ca: { status: string } };
  ca?: { candidates: { source: string; certificates: { sha256: string }[]; check?: { ok: boolean } }[]; chosen?: number };
  resolution: { addresses: string[]; error?: string };
}

async function probe(...args: string[]): Promise<{ run: CliRun; report: Probe }> {
  const run = await dockhand(['registry', 'probe', ...args, '--json']);
  try {
    return { run, report: JSON.parse(run.stdout) as Probe };
  } catch {
    throw new Error(`no JSON\n${said(run)}`);
  }
}

const add = (...args: string[]) => dockhand(['registry', 'add', ...args, '-p', book, '--json']);

/** Every file of a directory with its bytes and mtime: what "nothing written" is checked against. */
function snapshot(path: string): Record<string, string> {
  return Object.fromEntries(readdirSync(path).map((f) => [f, `${statSync(join(path, f)).mtimeMs} ${readFileSync(join(path, f)).toString('base64')}`]));
}

describe('onboarding a registry from its URL', () => {
  beforeAll(async () => {
    expect(front, 'the integration lab starts the Harbor stand-in').toBeDefined();
    execFileSync('openssl', ['req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-days', '30', '-keyout', join(elsewhere, 'other.key'), '-out', otherCa,
      '-subj', '/CN=another CA', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: 'pipe' });
    await resetNodes(nodes);
  }, 300_000);
  afterAll(() => resetNodes(nodes), 300_000);

  describe('registry probe names each lab registry', () => {
    it('the plain-http registry, with or without the scheme in the URL', async () => {
      const { run, report } = await probe(`http://${http.host}`, '--ip', http.address);
      expect(run.exitCode, said(run)).toBe(0);
      expect(report).toMatchObject({ registry: http.host, verdict: { kind: 'http', url: `http://${http.host}` } });
      expect(report.endpoints).toMatchObject([{ kind: 'registry', status: 200 }]);
      expect(report.harbor).toMatchObject({ detected: false });
      const bare = await probe(http.host, '--ip', http.address);
      expect(bare.report.verdict.kind).toBe('http');
      expect(bare.report.endpoints.map((e) => [e.url, e.kind])).toEqual([[`https://${http.host}`, 'nothing-listens'], [`http://${http.host}`, 'registry']]);
    });

    it('the https registry with the private CA: not trusted here, its name in the certificate, no CA of its own to offer', async () => {
      const { run, report } = await probe(`https://${https.host}/harbor/projects`, '--ip', https.address);
      expect(run.exitCode, said(run)).toBe(0);
      expect(report.verdict).toMatchObject({ kind: 'https', problems: [] });
      const [endpoint] = report.endpoints;
      expect(endpoint).toMatchObject({ kind: 'registry', status: 401, challenge: { scheme: 'basic' }, tls: { trustedHere: false, nameInCertificate: true } });
      expect(endpoint!.tls!.chain.map((c) => c.subject)).toEqual([`O=dockhand lab, CN=${https.host}`]);
      expect(report.resolution).toMatchObject({ addresses: [], error: 'ENOTFOUND' });
      expect(report.ca).toEqual({ candidates: [], chosen: undefined });
      const withCa = await probe(`https://${https.host}`, '--ip', https.address, '--ca', https.caCertPath);
      expect(withCa.report.ca!.candidates).toMatchObject([{ source: 'file', check: { ok: true } }]);
    });

    it('the Harbor stand-in: Harbor\'s token challenge and API, its CA from getcert, its http port redirecting', async () => {
      const { run, report } = await probe(front!.host, '--ip', front!.address);
      expect(run.exitCode, said(run)).toBe(0);
      expect(report.verdict).toMatchObject({ kind: 'https', url: `https://${front!.host}` });
      expect(report.endpoints).toMatchObject([
        { url: `https://${front!.host}`, kind: 'registry', status: 401, challenge: { scheme: 'bearer', service: 'harbor-registry', realm: `https://${front!.host}/service/token` } },
        { url: `http://${front!.host}`, kind: 'redirect', status: 308, location: `https://${front!.host}/v2/` },
      ]);
      expect(report.harbor).toMatchObject({ detected: true, apiVersion: 'v2.0', version: 'v2.11.0-lab', ca: { status: 'served' } });
      expect(report.ca!.candidates[report.ca!.chosen!]).toMatchObject({ source: 'harbor', check: { ok: true } });
      expect(`sha256 Fingerprint=${report.ca!.candidates[0]!.certificates[0]!.sha256}`).toBe(labCaFingerprint);
      // a Harbor whose CA was installed by hand: getcert 404 is normal; the chain's root is offered
      const byHand = await probe(`${front!.host}:${front!.ports.noCert}`, '--ip', front!.address);
      expect(byHand.report.harbor).toMatchObject({ detected: true, ca: { status: 'not-found' } });
      expect(byHand.report.ca!.candidates).toMatchObject([{ source: 'chain-root', check: { ok: true } }]);
      const text = await dockhand(['registry', 'probe', front!.host, '--ip', front!.address]);
      expect(text.stdout).toMatch(/^Harbor {5}yes: API v2\.0, harbor_version v2\.11\.0-lab/m);
      expect(text.stdout).toContain(`next       dockhand registry add https://${front!.host} -p PLAYBOOK --ip ${front!.address} --ca-fingerprint ${labCaFingerprint.split('=')[1]}`);
    });

    it('a port where nothing listens, a TLS port spoken to in plain http, a name that does not resolve: exit 4, each named', async () => {
      const nothing = await probe(`${https.host}:5000`, '--ip', https.address);
      expect(nothing.run.exitCode).toBe(4);
      expect(nothing.report.endpoints).toMatchObject([{ kind: 'nothing-listens' }]);
      expect(nothing.report.verdict.said).toMatch(/nothing listens there/);
      const tlsAsHttp = await probe(`http://${https.host}:443`, '--ip', https.address);
      expect(tlsAsHttp.run.exitCode).toBe(4);
      expect(tlsAsHttp.report.endpoints).toMatchObject([{ kind: 'tls-spoken-as-http' }]);
      expect(tlsAsHttp.report.verdict).toMatchObject({ kind: 'wrong-scheme' });
      expect(tlsAsHttp.report.verdict.said).toContain(`this port speaks TLS, not plain http: use https://${https.host}`);
      const unresolved = await probe(`https://${https.host}`);
      expect(unresolved.run.exitCode).toBe(4);
      expect(unresolved.report.verdict.said).toMatch(/does not resolve from this machine .*--ip ADDR/);
    });
  });

  describe('registry add, then apply', () => {
    it('writes the entries from the URLs: the Harbor CA by fingerprint, saved next to the playbook; insecure only for plain http', async () => {
      const runs = [
        await add(front!.host, '--ip', front!.address, '--ca-fingerprint', labCaFingerprint, '--hosts', 'k8s-cluster', '--verify', tiny, '--username-env', 'LAB_USER', '--password-env', 'LAB_PASSWORD'),
        await add(`http://${http.host}`, '--ip', http.address, '--verify', tiny),
        // the name does not resolve here: the address the playbook pins for it is probed, and pinned for this entry too
        await add(`${front!.host}:${front!.ports.noCert}`, '--ca-fingerprint', labCaFingerprint.split('=')[1]!.replaceAll(':', '').toLowerCase(), '--verify', tiny, '--username-env', 'LAB_USER', '--password-env', 'LAB_PASSWORD'),
      ];
      for (const run of runs) expect(run.exitCode, said(run)).toBe(0);
      expect(runs.map((r) => (JSON.parse(r.stdout) as { action: string }).action)).toEqual(['created', 'added', 'added']);
      const written = parse(readFileSync(book, 'utf8')) as { hosts: string; registries: Record<string, unknown>[] }[];
      expect(written).toEqual([{
        name: `Trust ${front!.host}`,
        hosts: 'k8s-cluster',
        registries: [
          { host: front!.host, ip: front!.address, ca: `${front!.host}-ca.crt`, verify: { image: `${front!.host}/${tiny}`, username_env: 'LAB_USER', password_env: 'LAB_PASSWORD' } },
          { host: http.host, ip: http.address, insecure: true, verify: { image: `${http.host}/${tiny}` } },
          { host: `${front!.host}:${front!.ports.noCert}`, ip: front!.address, ca: `${front!.host}_${front!.ports.noCert}-ca.crt`, verify: { image: `${front!.host}:${front!.ports.noCert}/${tiny}`, username_env: 'LAB_USER', password_env: 'LAB_PASSWORD' } },
        ],
      }]);
      const labCa = readFileSync(https.caCertPath, 'utf8');
      expect(readFileSync(join(dir, 'playbook', `${front!.host}-ca.crt`), 'utf8')).toBe(labCa);
      expect(readFileSync(join(dir, 'playbook', `${front!.host}_${front!.ports.noCert}-ca.crt`), 'utf8')).toBe(labCa);
    });

    // a node of every kind converges and pulls, each runtime in turn: longer than one node's apply
    it('apply converges the Docker and the containerd nodes, and the pulls work through the Harbor stand-in', { timeout: 600_000 }, async () => {
      expect(nodes.some(isContainerdNode) && nodes.some((n) => !isContainerdNode(n))).toBe(true);
      const inventory = writeInventory(dir, lab, nodes);
      const run = await dockhand(['apply', book, '-i', inventory, '--known-hosts', knownHosts, '--json'], env);
      expect(run.exitCode, said(run)).toBe(0);
      const images = [`${front!.host}/${tiny}`, `${http.host}/${tiny}`, `${front!.host}:${front!.ports.noCert}/${tiny}`];
      const report = JSON.parse(run.stdout) as { hosts: { name: string; status: string; verified: string[] }[] };
      for (const host of report.hosts) expect(host, host.name).toMatchObject({ status: 'changed', verified: images });
      // and as a user would pull, on the node itself
      for (const node of nodes) {
        if (isContainerdNode(node)) {
          const cri = new CriClient({ connect: unixSocket(node.criSocket!), target: node.name, pullTimeoutMs: 60_000 });
          try {
            await cri.pullImage(images[0]!, { auth: { username: https.username, password } });
            await cri.removeImage(images[0]!);
          } finally {
            await cri.close();
          }
        } else {
          const pull = await nodeExec(node, ['sh', '-c', `docker login -u ${https.username} --password-stdin ${front!.host} >/dev/null && docker pull -q ${images[0]} && docker logout ${front!.host} >/dev/null && docker rmi ${images[0]} >/dev/null`], password);
          expect(pull.exitCode, `${node.name}: ${pull.output}`).toBe(0);
        }
      }
    });

    it('a second registry add changes nothing: not a byte, not a file time', async () => {
      const before = snapshot(join(dir, 'playbook'));
      const again = [
        await add(`https://${front!.host}/harbor/projects/1`, '--ca-fingerprint', labCaFingerprint, '--verify', tiny, '--username-env', 'LAB_USER', '--password-env', 'LAB_PASSWORD'),
        await add(`http://${http.host}`, '--verify', tiny),
      ];
      for (const run of again) {
        expect(run.exitCode, said(run)).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ action: 'unchanged', wrote: [] });
      }
      expect(snapshot(join(dir, 'playbook'))).toEqual(before);
    });

    it('a CA that changed (Harbor\'s Helm chart makes a new one on helm upgrade) is written anew and shown as a fingerprint diff', async () => {
      const caFile = join(dir, 'playbook', `${front!.host}-ca.crt`);
      const labCa = readFileSync(caFile, 'utf8');
      writeFileSync(caFile, readFileSync(otherCa)); // what the playbook pinned before the upgrade
      const run = await dockhand(['registry', 'add', front!.host, '-p', book, '--ca-fingerprint', labCaFingerprint]);
      expect(run.exitCode, said(run)).toBe(0);
      expect(run.stdout).toContain(`CA changed: was sha256=${fingerprintOf(otherCa).split('=')[1]}, now sha256=${labCaFingerprint.split('=')[1]}`);
      expect(readFileSync(caFile, 'utf8')).toBe(labCa);
    });

    it('writes a symlinked playbook through its link', async () => {
      const real = join(elsewhere, 'real.yml');
      const link = join(elsewhere, 'link.yml');
      writeFileSync(real, '# kept\n');
      symlinkSync(real, link);
      try {
        const run = await dockhand(['registry', 'add', `http://${http.host}`, '--ip', http.address, '-p', link]);
        expect(run.exitCode, said(run)).toBe(0);
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
        expect(readFileSync(real, 'utf8')).toMatch(/^# kept\n- name: Trust harbor-http\.lab\.local\n/);
      } finally {
        rmSync(link);
        rmSync(real);
      }
    });

    it('two registry add at once on one playbook both land', async () => {
      const file = join(scratchDir('onboard-together'), 'site.yml');
      const runs = await Promise.all([
        dockhand(['registry', 'add', `http://${http.host}`, '--ip', http.address, '-p', file]),
        dockhand(['registry', 'add', front!.host, '--ip', front!.address, '--ca-fingerprint', labCaFingerprint, '-p', file]),
        dockhand(['registry', 'add', `https://${https.host}`, '--ip', https.address, '--ca', https.caCertPath, '-p', file]),
      ]);
      for (const run of runs) expect(run.exitCode, said(run)).toBe(0);
      const plays = parse(readFileSync(file, 'utf8')) as { registries: { host: string }[] }[];
      expect(plays.flatMap((p) => p.registries.map((r) => r.host)).sort()).toEqual([front!.host, http.host, https.host].sort());
    });

    it('refuses a wrong fingerprint, a CA that does not sign, an expired chain and a name not in the certificate: each with what to do, nothing written', async () => {
      const otherFingerprint = fingerprintOf(otherCa);
      const before = snapshot(join(dir, 'playbook'));
      const refusals: [string[], RegExp][] = [
        [[front!.host, '--ca-fingerprint', otherFingerprint], /no CA harbor-front\.lab\.local offers has the SHA-256 fingerprint .* check the fingerprint with the registry's administrator .*; nothing written/],
        [[`https://${https.host}`, '--ip', https.address, '--ca', otherCa], /the CA "CN=another CA" .* does not sign harbor\.lab\.local's certificate \(issued by "O=dockhand lab, CN=dockhand lab CA .*"\): give the CA that issued it; nothing written/],
        [[`${front!.host}:${front!.ports.expired}`, '--ca-fingerprint', labCaFingerprint], /the server's certificate .* is valid from 2020-01-01T00:00:00Z to 2021-01-01T00:00:00Z, not now: renew it on the registry .*; nothing written/],
        [[`https://${https.address}`, '--ca', https.caCertPath], new RegExp(`the certificate is for DNS:${https.host}, not ${https.address.replaceAll('.', '\\.')}: use a name it holds \\(https://${https.host}, with --ip .*\\), or reissue it with subjectAltName IP:.*; nothing written`)],
      ];
      for (const [args, reason] of refusals) {
        const run = await dockhand(['registry', 'add', ...args, '-p', book]);
        expect(run.exitCode, said(run)).toBe(1);
        expect(run.stdout, said(run)).toBe('');
        expect(run.stderr, said(run)).toMatch(reason);
        // a playbook that does not exist yet is not created either
        const fresh = await dockhand(['registry', 'add', ...args, '-p', join(elsewhere, 'new', 'site.yml')]);
        expect(fresh.exitCode, said(fresh)).toBe(1);
      }
      expect(snapshot(join(dir, 'playbook'))).toEqual(before);
      expect(readdirSync(elsewhere).sort()).toEqual(['other.crt', 'other.key']);
    });
  });

  describe('registry secret', () => {
    const kubectl = (server: string, namespace: string) =>
      execFileSync('/usr/bin/kubectl', ['create', 'secret', 'docker-registry', 'harbor-pull', `--docker-server=${server}`, `--docker-username=${https.username}`,
        `--docker-password=${password}`, '-n', namespace, '--dry-run=client', '-o', 'yaml'], { encoding: 'utf8' });

    it('prints what kubectl prints, once the login works: Harbor\'s token flow and a Basic login', async () => {
      const harbor = await dockhand(['registry', 'secret', front!.host, '-p', book, '--name', 'harbor-pull', '-n', 'team-a', '-n', 'team-b', '--username', https.username, '--password-stdin', '--image', tiny], {}, `${password}\n`);
      expect(harbor.exitCode, said(harbor)).toBe(0);
      expect(harbor.stderr).toContain(`${front!.host} accepts the login of ${https.username} (through its token service), and it can pull ${tiny}`);
      // (the test's runner takes the last line end off stdout)
      expect(`${harbor.stdout}\n`.split('---\n')).toEqual([kubectl(front!.host, 'team-a'), kubectl(front!.host, 'team-b')]);
      const basic = await dockhand(['registry', 'secret', `https://${https.host}`, '--ip', https.address, '--ca', https.caCertPath, '--name', 'harbor-pull', '-n', 'team-a', '--username', https.username], { DOCKHAND_REGISTRY_PASSWORD: password });
      expect(basic.exitCode, said(basic)).toBe(0);
      expect(basic.stderr).toContain('with Basic auth');
      expect(`${basic.stdout}\n`).toBe(kubectl(https.host, 'team-a'));
      for (const run of [harbor, basic]) expect(run.stderr).not.toContain(password);
    });

    it('tells a wrong password (nothing printed) from a registry that needs no login', async () => {
      for (const args of [[front!.host, '-p', book], [`https://${https.host}`, '--ip', https.address, '--ca', https.caCertPath]]) {
        const wrong = await dockhand(['registry', 'secret', ...args, '--name', 'harbor-pull', '--username', https.username, '--password-stdin'], {}, 'not-the-password\n');
        expect(wrong.exitCode, said(wrong)).toBe(1);
        expect(wrong.stdout).toBe('');
        expect(wrong.stderr).toMatch(/refused the login of dockhand: wrong username or password .*; nothing printed/);
      }
      const open = await dockhand(['registry', 'secret', `http://${http.host}`, '--ip', http.address, '--name', 'harbor-pull', '--username', 'anyone', '--password-stdin'], {}, 'whatever\n');
      expect(open.exitCode, said(open)).toBe(0);
      expect(open.stderr).toMatch(/harbor-http\.lab\.local needs no login .*: pulls work without this Secret, and the login could not be checked there/);
      expect(open.stdout).toMatch(/^apiVersion: v1\ndata:\n {2}\.dockerconfigjson: /);
    });

    it('never sends the login to a registry it cannot trust', async () => {
      const run = await dockhand(['registry', 'secret', front!.host, '--ip', front!.address, '--name', 'harbor-pull', '--username', https.username, '--password-stdin'], {}, `${password}\n`);
      expect(run.exitCode, said(run)).toBe(1);
      expect(run.stderr).toMatch(/no trusted CA signs the certificate: the login was not sent; give the registry's CA with --ca FILE, or -p PLAYBOOK/);
    });
  });
});
