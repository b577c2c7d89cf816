// dockhand on podman nodes (Debian 12's podman 4.3.1 and skopeo 1.9.3, neither Docker nor containerd),
// proven with the node's own tools: with only the registry names pinned, `skopeo inspect` and `podman pull`
// fail from both lab registries; after apply they work (the http one through an insecure drop-in, the https
// one through the CA in /etc/containers/certs.d and a login); a second apply changes nothing; check names
// the node whose drop-in was removed. CRI-O's part as far as this lab can go: no CRI-O package can be had
// here, so a stand-in crio.service (a shell loop that counts the SIGHUPs of `systemctl reload crio`) proves
// the detection from kubelet's endpoint, the reload and when it is owed, and the rollback of a refused one;
// not CRI-O's own reading of the files.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersNodes, loadLab, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory, writePlaybook } from '../support/lab-files.ts';
import { must, said, sh } from '../support/node-shell.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const nodes = containersNodes(lab);
const [podman, crio] = nodes as [LabNode, LabNode];
const dir = scratchDir('containers');
const knownHosts = join(dir, 'known_hosts');
const { http, https } = lab.registries;
const password = readSecret(https.passwordFile);
const image = (host: string) => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
const DROP_IN = `/etc/containers/registries.conf.d/zz-dockhand-${http.host}.conf`;
const SLOW = 600_000;

interface HostReport {
  name: string;
  status: string;
  runtimes: string[];
  changes: { resource: string; path: string; action: string }[];
  handlers: string[];
  missing_effect: string[];
  verified: string[];
  error: string | null;
}

const playbook = (name: string, text: string) => writePlaybook(dir, name, text);

// the names alone: what is left to fail is what the registries need of podman (insecure, the CA)
const namesOnly = playbook('names.yml', `registries:\n  - {host: ${http.host}, ip: ${http.address}}\n  - {host: ${https.host}, ip: ${https.address}}\n`);
const registries = playbook(
  'registries.yml',
  `- name: Trust the lab registries
  hosts: all
  runtimes: [podman]
  registries:
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
      verify: {image: ${image(http.host)}}
    - host: ${https.host}
      ip: ${https.address}
      ca: ${https.caCertPath}
      verify: {image: ${image(https.host)}, username_env: LAB_USER, password_env: LAB_PASSWORD}
`,
);
// CRI-O's node: no pull check (the stand-in serves no CRI)
const crioBook = playbook(
  'crio.yml',
  `registries:\n  - {host: ${http.host}, ip: ${http.address}, insecure: true}\n  - {host: ${https.host}, ip: ${https.address}, ca: ${https.caCertPath}}\n`,
);
const env = { LAB_USER: https.username, LAB_PASSWORD: password };

async function run(command: 'apply' | 'check', book: string, targets: readonly LabNode[]): Promise<{ run: CliRun; hosts: HostReport[] }> {
  const inventory = writeInventory(dir, lab, targets, `${targets.map((n) => n.name).join('-')}.ini`);
  const result = await dockhand([command, book, '-i', inventory, '--known-hosts', knownHosts, '--json'], env);
  try {
    return { run: result, hosts: (JSON.parse(result.stdout) as { hosts: HostReport[] }).hosts };
  } catch {
    throw new Error(`no JSON report\n${said(result)}`);
  }
}

/** The https registry's login for skopeo and podman, in an auth file written from stdin (never in a command line). */
const AUTH = '/root/lab-auth.json';
const writeAuth = (node: LabNode) =>
  must(node, `umask 077 && cat > ${AUTH}`, JSON.stringify({ auths: { [https.host]: { auth: Buffer.from(`${https.username}:${password}`).toString('base64') } } }));

/** What the node's own tools say of each registry: skopeo inspect and podman pull (the image removed again). */
async function tools(node: LabNode): Promise<Record<string, { exitCode: number; output: string }>> {
  const out: Record<string, { exitCode: number; output: string }> = {};
  for (const [host, auth] of [[http.host, ''], [https.host, `--authfile ${AUTH}`]] as const) {
    out[`skopeo inspect ${host}`] = await sh(node, `skopeo inspect ${auth} docker://${image(host)}`);
    out[`podman pull ${host}`] = await sh(node, `podman pull -q ${auth} ${image(host)} && podman rmi ${image(host)}`);
  }
  return out;
}

const startedAt = async (node: LabNode) => (await must(node, 'systemctl show crio -p ExecMainStartTimestampMonotonic --value')).trim();
const reloads = async (node: LabNode) => Number((await must(node, 'grep -c reloaded /run/crio-stand-in.log || true')).trim());

/** A stand-in for CRI-O's daemon and unit (upstream's crio.service reloads with the same SIGHUP). */
const STAND_IN = `#!/bin/sh
# dockhand lab: a stand-in for CRI-O (no CRI-O package can be had here): counts the SIGHUPs of systemctl reload crio
case "\${1:-}" in --version) echo 'crio version 1.28.1-lab-stand-in'; exit 0 ;; esac
echo started >> /run/crio-stand-in.log
trap 'echo reloaded >> /run/crio-stand-in.log' HUP
trap 'exit 0' TERM
while :; do sleep 1 & wait $!; done
`;
const UNIT = `[Unit]
Description=Container Runtime Interface for OCI (CRI-O), dockhand lab stand-in
[Service]
ExecStart=/usr/local/bin/crio
ExecReload=/bin/kill -s HUP $MAINPID
[Install]
WantedBy=multi-user.target
`;

describe('podman nodes converge, proven with skopeo and podman', () => {
  beforeAll(async () => {
    expect(nodes.length, 'the integration lab has two podman nodes').toBeGreaterThanOrEqual(2);
    await resetNodes(nodes);
  }, SLOW);
  afterAll(() => resetNodes([podman]), SLOW);

  it('with only the registry names pinned, skopeo inspect and podman pull fail from both registries', async () => {
    const pinned = await run('apply', namesOnly, [podman]);
    expect(pinned.run.exitCode, said(pinned.run)).toBe(0);
    await writeAuth(podman);
    const before = await tools(podman);
    for (const [what, result] of Object.entries(before)) expect(result.exitCode, `${what}: ${result.output}`).not.toBe(0);
    // http: podman tries https first and is refused; https: the lab's CA is not trusted
    expect(before[`skopeo inspect ${http.host}`]!.output).toMatch(/connection refused|server gave HTTP response/);
    expect(before[`podman pull ${https.host}`]!.output).toMatch(/x509|certificate/);
  }, SLOW);

  it("apply (runtimes: [podman]) makes both work: an insecure drop-in for http, the CA for https; registries.conf is left as it was", async () => {
    const conf = await must(podman, 'sha256sum /etc/containers/registries.conf /etc/containers/registries.conf.d/shortnames.conf');
    const { run: result, hosts } = await run('apply', registries, [podman]);
    expect(result.exitCode, said(result)).toBe(0);
    expect(hosts[0]).toMatchObject({ status: 'changed', runtimes: ['containers'], handlers: ['update-trust'], verified: [image(http.host), image(https.host)] });
    expect(hosts[0]!.changes.map((c) => `${c.action} ${c.resource} ${c.path}`)).toEqual(expect.arrayContaining([
      `create registries.conf.d ${DROP_IN}`,
      `create certs.d /etc/containers/certs.d/${https.host}/ca.crt`,
    ]));
    const after = await tools(podman);
    for (const [what, res] of Object.entries(after)) expect(res.exitCode, `${what}: ${res.output}`).toBe(0);
    expect(await must(podman, `cat ${DROP_IN}`)).toContain(`prefix = "${http.host}"\nlocation = "${http.host}"\ninsecure = true\n`);
    expect(await must(podman, 'sha256sum /etc/containers/registries.conf /etc/containers/registries.conf.d/shortnames.conf')).toBe(conf);
  }, SLOW);

  it('a second apply changes nothing; check exits 0', async () => {
    const again = await run('apply', registries, [podman]);
    expect(again.run.exitCode, said(again.run)).toBe(0);
    expect(again.hosts.map((h) => [h.name, h.status, h.changes.length, h.handlers.length])).toEqual([[podman.name, 'ok', 0, 0]]);
    const check = await run('check', registries, [podman]);
    expect(check.run.exitCode, said(check.run)).toBe(0);
  }, SLOW);

  it('without the drop-in the http pull fails again; check exits 3 naming exactly that node; apply puts it back', async () => {
    // the other podman node, converged too, must not be named
    const other = await run('apply', crioBook, [crio]);
    expect(other.run.exitCode, said(other.run)).toBe(0);
    await must(podman, `rm ${DROP_IN}`);
    expect((await sh(podman, `podman pull -q ${image(http.host)}`)).exitCode).not.toBe(0);
    const check = await run('check', registries, nodes);
    expect(check.run.exitCode, said(check.run)).toBe(3);
    expect(check.hosts.filter((h) => h.status === 'drift').map((h) => h.name)).toEqual([podman.name]);
    expect(check.hosts.find((h) => h.name === podman.name)!.changes).toEqual([expect.objectContaining({ resource: 'registries.conf.d', path: DROP_IN })]);
    const repair = await run('apply', registries, [podman]);
    expect(repair.run.exitCode, said(repair.run)).toBe(0);
    expect(repair.hosts[0]!.handlers).toEqual([]);
    await must(podman, `podman pull -q ${image(http.host)} && podman rmi ${image(http.host)}`);
  }, SLOW);
});

describe("CRI-O's part, with a stand-in crio.service (no CRI-O package can be had here)", () => {
  beforeAll(async () => {
    await resetNodes([crio]);
    await must(crio, 'cat > /usr/local/bin/crio && chmod +x /usr/local/bin/crio', STAND_IN);
    await must(crio, 'cat > /etc/systemd/system/crio.service && systemctl daemon-reload && systemctl enable --now crio.service', UNIT);
    // kubelet as kubeadm configures it for CRI-O
    await must(crio, 'mkdir -p /var/lib/kubelet && cat > /var/lib/kubelet/kubeadm-flags.env', 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/crio/crio.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n');
  }, SLOW);
  afterAll(() => resetNodes([crio]), SLOW);

  it("facts: kubelet's endpoint on crio.sock selects containers-image; CRI-O is active", async () => {
    const inventory = writeInventory(dir, lab, [crio], 'crio-facts.ini');
    const result = await dockhand(['facts', '-i', inventory, '--known-hosts', knownHosts, '--json']);
    expect(result.exitCode, said(result)).toBe(0);
    const host = (JSON.parse(result.stdout) as { hosts: Record<string, unknown>[] }).hosts[0]!;
    expect(host['kubelet']).toMatchObject({ endpoint: 'unix:///var/run/crio/crio.sock', runtime: 'containers', source: '/var/lib/kubelet/kubeadm-flags.env' });
    expect(host['runtimes']).toMatchObject({ auto: ['containers'] });
    expect(host['containers']).toMatchObject({ installed: true, running: true, podman: true, crio: { activeState: 'active', running: true, version: '1.28.1-lab-stand-in' } });
  }, SLOW);

  it('apply reloads CRI-O once (SIGHUP, no restart); a second apply reloads nothing', async () => {
    const started = await startedAt(crio);
    const { run: result, hosts } = await run('apply', crioBook, [crio]);
    expect(result.exitCode, said(result)).toBe(0);
    expect(hosts[0]).toMatchObject({ status: 'changed', runtimes: ['containers'], handlers: ['update-trust', 'reload-containers'] });
    expect(await reloads(crio)).toBe(1);
    expect(await startedAt(crio)).toBe(started);
    const again = await run('apply', crioBook, [crio]);
    expect(again.hosts[0]).toMatchObject({ status: 'ok', changes: [], handlers: [] });
    expect(await reloads(crio)).toBe(1);
  }, SLOW);

  it('a drop-in changed by hand after the last reload: check says CRI-O runs on an older configuration; apply reloads it', async () => {
    await must(crio, 'sleep 1 && printf \'[[registry]]\\nlocation = "quay.io"\\n\' > /etc/containers/registries.conf.d/50-quay.conf');
    const check = await run('check', crioBook, [crio]);
    expect(check.run.exitCode, said(check.run)).toBe(3);
    expect(check.hosts[0]!.missing_effect).toEqual(['CRI-O runs on an older registries configuration than the files (they changed after its last start or reload)']);
    const apply = await run('apply', crioBook, [crio]);
    expect(apply.hosts[0]).toMatchObject({ status: 'changed', changes: [], handlers: ['reload-containers'] });
    expect(await reloads(crio)).toBe(2);
    expect((await run('check', crioBook, [crio])).run.exitCode).toBe(0);
  }, SLOW);

  it('a CRI-O that refuses its reload: the drop-in is taken back and CRI-O reloaded on the old files', async () => {
    await must(crio, 'rm -f /etc/containers/registries.conf.d/50-quay.conf');
    await must(crio, `rm ${DROP_IN}`);
    const before = await must(crio, 'find /etc/containers -type f | sort | xargs sha256sum');
    await must(crio, 'mkdir -p /etc/systemd/system/crio.service.d && cat > /etc/systemd/system/crio.service.d/refuse.conf && systemctl daemon-reload', `[Service]\nExecReload=\nExecReload=/bin/sh -c '! test -e ${DROP_IN}'\n`);
    const { run: result, hosts } = await run('apply', crioBook, [crio]);
    expect(result.exitCode, said(result)).toBe(2);
    expect(hosts[0]!.status).toBe('rolled_back');
    expect(hosts[0]!.error).toMatch(/rolled back: CRI-O did not reload its registries configuration/);
    expect(await must(crio, 'find /etc/containers -type f | sort | xargs sha256sum')).toBe(before);
    expect((await sh(crio, 'systemctl is-active crio')).stdout.trim()).toBe('active');
    await must(crio, 'rm -rf /etc/systemd/system/crio.service.d && systemctl daemon-reload');
  }, SLOW);
});
