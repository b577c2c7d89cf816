import { readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerNodes, loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, said } from '../support/cli.ts';
import { scratchDir, writeInventory, writeRegistryPlaybook } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
// Every kind of node at once: Debian and RHEL-family with DOCKER_OPTS units, and a docker-ce-like unit
// that ignores $DOCKER_OPTS (it converges through daemon.json).
const nodes = dockerNodes(lab);
const isCe = (name: string) => lab.nodes.find((n) => n.name === name)?.variant === 'docker-ce';
const dir = scratchDir('converge');
const inventory = writeInventory(dir, lab, nodes);
const playbook = writeRegistryPlaybook(dir, lab);
const knownHosts = `${dir}/known_hosts`;
const http = lab.registries.http;
const https = lab.registries.https;
const common = ['-i', inventory, '--known-hosts', knownHosts, '--json'];

interface Report {
  mode: string;
  hosts: { name: string; status: string; mechanism: string | null; changes: { resource: string; path: string; action: string; diff: string | null }[]; handlers: string[]; error: string | null }[];
  summary: Record<string, number>;
}

async function sh(node: LabNode, script: string, input?: string) {
  return nodeExec(node, ['sh', '-c', script], input);
}

async function dockerStartedAt(node: LabNode): Promise<string> {
  return (await sh(node, 'systemctl show docker -p ExecMainStartTimestampMonotonic --value')).stdout.trim();
}

describe('converge the lab to the KubeSphere registry procedure', () => {
  beforeAll(() => resetNodes(nodes), 120_000);

  it('check on fresh nodes exits 3 and lists each node\'s drift', async () => {
    expect(nodes.length).toBeGreaterThanOrEqual(4);
    expect(nodes.some((n) => n.variant === 'docker-ce')).toBe(true);
    const run = await dockhand(['check', playbook, ...common]);
    expect(run.exitCode, run.stderr).toBe(3);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.mode).toBe('check');
    for (const host of report.hosts) {
      expect(host.status, host.name).toBe('drift');
      const options = isCe(host.name) ? 'daemon-json' : 'docker-options';
      expect(host.changes.map((c) => c.resource).sort(), host.name).toEqual(['certs.d', options, 'hosts', 'trust-store'].sort());
      expect(host.mechanism, host.name).toBe(isCe(host.name) ? 'daemon-json' : 'drop-in');
    }
    // check changed nothing
    for (const node of nodes) expect((await sh(node, 'test -e /etc/docker/certs.d && echo yes || echo no')).stdout.trim()).toBe('no');
  });

  it('before apply, the https registry is not trusted on the nodes', async () => {
    const node = nodes[0]!;
    const pull = await sh(node, `docker pull ${http.host}/library/tiny:1`);
    expect(pull.exitCode).not.toBe(0);
  });

  it('apply makes every node pull from both registries, trust the CA system-wide and resolve the names', async () => {
    const run = await dockhand(['apply', playbook, ...common]);
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    for (const host of report.hosts) {
      expect(host.status, `${host.name}: ${host.error}`).toBe('changed');
      // daemon.json's registry options are reloaded (SIGHUP); flags need a restart
      expect(host.handlers, host.name).toEqual(isCe(host.name) ? ['update-trust', 'reload-docker'] : ['update-trust', 'daemon-reload', 'restart-docker']);
    }
    const password = readSecret(https.passwordFile);
    for (const node of nodes) {
      expect((await sh(node, `getent hosts ${http.host}`)).stdout.split(/\s+/)[0], node.name).toBe(http.address);
      expect((await sh(node, `getent hosts ${https.host}`)).stdout.split(/\s+/)[0], node.name).toBe(https.address);
      const pullHttp = await sh(node, `docker pull ${http.host}/library/tiny:1`);
      expect(pullHttp.exitCode, `${node.name}: ${pullHttp.output}`).toBe(0);
      const login = await sh(node, `docker login -u ${https.username} --password-stdin ${https.host}`, password);
      expect(login.exitCode, `${node.name}: ${login.output}`).toBe(0);
      const pullHttps = await sh(node, `docker pull ${https.host}/library/tiny:1`);
      expect(pullHttps.exitCode, `${node.name}: ${pullHttps.output}`).toBe(0);
      // TLS verified through the system trust store (no --cacert): 401 without a login is fine
      const curl = await sh(node, `curl -sS -o /dev/null -w '%{http_code}' https://${https.host}/v2/`);
      expect(curl.exitCode, `${node.name}: ${curl.output}`).toBe(0);
      expect(curl.stdout).toBe('401');
      await sh(node, `docker logout ${https.host}; docker rmi -f ${http.host}/library/tiny:1 ${https.host}/library/tiny:1`);
    }
  });

  it('a second apply reports every node ok, changes nothing and restarts nothing; check exits 0', async () => {
    const before = await Promise.all(nodes.map(dockerStartedAt));
    const run = await dockhand(['apply', playbook, ...common]);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    for (const host of report.hosts) {
      expect(host.status, host.name).toBe('ok');
      expect(host.changes).toEqual([]);
      expect(host.handlers).toEqual([]);
    }
    expect(await Promise.all(nodes.map(dockerStartedAt))).toEqual(before);
    const check = await dockhand(['check', playbook, ...common]);
    expect(check.exitCode, check.stdout).toBe(0);
  });

  it('finds exactly the two nodes that drifted, and apply repairs both', async () => {
    const [lostCa, movedName] = [nodes[0]!, nodes[nodes.length - 1]!];
    await sh(lostCa, `rm /etc/docker/certs.d/${https.host}/ca.crt`);
    await sh(movedName, `sed -i 's/^${http.address.replaceAll('.', '\\.')}\\t/10.9.9.9\\t/' /etc/hosts 2>/dev/null || { cp /etc/hosts /tmp/h; sed 's/^${http.address.replaceAll('.', '\\.')}\\t/10.9.9.9\\t/' /tmp/h > /etc/hosts; }`);
    expect((await sh(movedName, `getent hosts ${http.host}`)).stdout).toMatch(/^10\.9\.9\.9/);

    const check = await dockhand(['check', playbook, ...common, '--diff']);
    expect(check.exitCode).toBe(3);
    const drifted = (JSON.parse(check.stdout) as Report).hosts.filter((h) => h.status === 'drift');
    expect(drifted.map((h) => h.name).sort()).toEqual([lostCa.name, movedName.name].sort());
    const hostsChange = drifted.find((h) => h.name === movedName.name)!.changes.find((c) => c.resource === 'hosts')!;
    expect(hostsChange.diff).toContain(`-10.9.9.9\t${http.host}`);
    expect(hostsChange.diff).toContain(`+${http.address}\t${http.host}`);

    const apply = await dockhand(['apply', playbook, ...common]);
    expect(apply.exitCode, apply.stdout).toBe(0);
    const statuses = Object.fromEntries((JSON.parse(apply.stdout) as Report).hosts.map((h) => [h.name, h.status]));
    for (const node of nodes) expect(statuses[node.name], node.name).toBe(node === lostCa || node === movedName ? 'changed' : 'ok');
    expect((await sh(movedName, `getent hosts ${http.host}`)).stdout.split(/\s+/)[0]).toBe(http.address);
    expect((await sh(lostCa, `cat /etc/docker/certs.d/${https.host}/ca.crt`)).exitCode).toBe(0);
  });

  it('a check asks a dockerd it verified no `docker info` again, yet sees one restarted or reloaded on other options', async () => {
    const deb = nodes.find((n) => n.variant === 'debian')!;
    const ce = nodes.find((n) => n.variant === 'docker-ce')!;
    const pair = [deb, ce];
    const only = ['-i', writeInventory(dir, lab, pair, 'kept.ini'), '--known-hosts', knownHosts, '--json'];
    // every docker command run on the two nodes, logged (PATH puts /usr/local/sbin first)
    const wrap = `printf '%s\\n' '#!/bin/sh' 'echo "$*" >> /run/docker-calls' 'exec /usr/bin/docker "$@"' > /usr/local/sbin/docker && chmod 755 /usr/local/sbin/docker && rm -f /run/docker-calls`;
    const infoCalls = async (node: LabNode) => (await sh(node, 'grep -c "^info" /run/docker-calls 2>/dev/null || true')).stdout.trim() || '0';
    const statuses = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as Report).hosts.map((h) => [h.name, h.status]));
    try {
      for (const node of pair) expect((await sh(node, wrap)).exitCode).toBe(0);
      const quiet = await dockhand(['check', playbook, ...only]);
      expect(quiet.exitCode, quiet.stdout).toBe(0);
      for (const node of pair) expect(await infoCalls(node), node.name).toBe('0');

      // Debian: the drop-in moved away, dockerd restarted without it, the drop-in put back, no restart
      const dropIn = '/etc/systemd/system/docker.service.d/docker-options.conf';
      await sh(deb, `mv ${dropIn} /root/options.conf && systemctl daemon-reload && systemctl restart docker && mv /root/options.conf ${dropIn} && systemctl daemon-reload`);
      // docker-ce: the http registry taken out of daemon.json, dockerd reloaded, the file put back as it was, no reload
      const json = (await sh(ce, 'cat /etc/docker/daemon.json')).stdout;
      const without = JSON.parse(json) as { 'insecure-registries': string[] };
      without['insecure-registries'] = without['insecure-registries'].filter((r) => r !== http.host);
      await sh(ce, 'cat > /etc/docker/daemon.json && systemctl reload docker && sleep 1', JSON.stringify(without));
      await sh(ce, 'cat > /etc/docker/daemon.json', json);
      expect((await sh(ce, 'docker info --format "{{json .RegistryConfig.IndexConfigs}}"')).stdout).not.toContain(http.host);
      await sh(ce, 'rm -f /run/docker-calls');

      const drift = await dockhand(['check', playbook, ...only]);
      expect(drift.exitCode, drift.stdout).toBe(3);
      expect(statuses(drift.stdout)).toEqual({ [deb.name]: 'drift', [ce.name]: 'drift' });
      for (const node of pair) expect(Number(await infoCalls(node)), node.name).toBeGreaterThan(0);

      const repair = await dockhand(['apply', playbook, ...only]);
      expect(repair.exitCode, repair.stdout).toBe(0);
      expect(statuses(repair.stdout)).toEqual({ [deb.name]: 'changed', [ce.name]: 'changed' });
      for (const node of pair) await sh(node, 'rm -f /run/docker-calls');
      const after = await dockhand(['check', playbook, ...only]);
      expect(after.exitCode, after.stdout).toBe(0);
      for (const node of pair) expect(await infoCalls(node), node.name).toBe('0');
    } finally {
      for (const node of pair) await sh(node, 'rm -f /usr/local/sbin/docker /run/docker-calls');
    }
  });

  it('prints a recap a person can read, with diffs in check mode', async () => {
    const run = await dockhand(['check', playbook, '-i', inventory, '--known-hosts', knownHosts, '--diff']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^RECAP \(check\)$/m);
    for (const node of nodes) expect(run.stdout).toMatch(new RegExp(`^${node.name}\\s+ok\\s+changes=0`, 'm'));
  });
});

describe('a node whose daemon.json already sets insecure-registries', () => {
  it('converges without Docker failing; the key keeps its old entries and the other keys stay', async () => {
    const node = lab.nodes.find((n) => n.variant === 'docker-ce')!;
    const daemonJson = '{\n  "insecure-registries": ["10.99.0.0/16"],\n  "log-level": "warn"\n}\n';
    await sh(node, `rm -f /etc/docker/daemon.json; cat > /etc/docker/daemon.json; systemctl reset-failed docker; systemctl restart docker`, daemonJson);
    const inventoryCe = writeInventory(dir, lab, [node], 'daemon-json.ini');
    const run = await dockhand(['apply', playbook, '-i', inventoryCe, '--known-hosts', knownHosts, '--json']);
    expect(run.exitCode, run.stdout).toBe(0);
    const host = (JSON.parse(run.stdout) as Report).hosts[0]!;
    expect(host.mechanism).toBe('daemon-json');
    expect(JSON.parse((await sh(node, 'cat /etc/docker/daemon.json')).stdout)).toEqual({
      'insecure-registries': ['10.99.0.0/16', http.host, '10.233.0.0/18'],
      'log-level': 'warn',
    });
    expect((await sh(node, 'systemctl is-active docker')).stdout.trim()).toBe('active');
    const info = (await sh(node, "docker info --format '{{json .RegistryConfig}}'")).stdout;
    for (const wanted of ['10.99.0.0/16', '10.233.0.0/18', http.host]) expect(info).toContain(wanted);
    expect((await sh(node, `docker pull ${http.host}/library/tiny:1`)).exitCode).toBe(0);
  });
});

describe('issue 8, fault 1: a CIDR with host bits (192.168.1.1/24), which dockerd keeps as 192.168.1.0/24', () => {
  it('converges, verified, through the drop-in and daemon.json, and the next check finds no drift', async () => {
    const pair = [lab.nodes.find((n) => n.variant === 'debian')!, lab.nodes.find((n) => n.variant === 'docker-ce')!];
    await resetNodes(pair);
    const book = `${dir}/cidr.yml`;
    writeFileSync(book, 'hosts: all\nrestart: always\ninsecure_registries: [192.168.1.1/24, "FD00:0:0:0:1::7/64"]\n');
    const inventoryPair = writeInventory(dir, lab, pair, 'cidr.ini');
    try {
      const apply = await dockhand(['apply', book, '-i', inventoryPair, '--known-hosts', knownHosts, '--json']);
      expect(apply.exitCode, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      expect(apply.stderr).toContain('"192.168.1.1/24" read as 192.168.1.0/24');
      for (const host of (JSON.parse(apply.stdout) as Report).hosts) expect(host.status, host.error ?? '').toBe('changed');
      for (const node of pair) {
        const info = (await sh(node, "docker info --format '{{json .RegistryConfig.InsecureRegistryCIDRs}}'")).stdout;
        expect(info, node.name).toContain('192.168.1.0/24');
        expect(info, node.name).toContain('fd00::/64');
      }
      const check = await dockhand(['check', book, '-i', inventoryPair, '--known-hosts', knownHosts, '--json']);
      expect(check.exitCode, check.stdout).toBe(0);
    } finally {
      await resetNodes(pair);
    }
  });
});

describe('plays for different nodes may pin one name to their own address (one registry name, one address per node)', () => {
  it('each node resolves the name to its own play\'s address; an inventory that puts a node in both plays is refused before any node is touched', async () => {
    const [a, b] = lab.nodes.filter((n) => n.variant === 'debian').slice(1, 3) as [LabNode, LabNode];
    await resetNodes([a, b]);
    const book = `${dir}/replicas.yml`;
    writeFileSync(
      book,
      `- hosts: ${a.name}\n  restart: always\n  registries: [{host: ${http.host}, ip: ${http.address}, insecure: true}]\n` +
        `- hosts: ${b.name}\n  restart: always\n  registries: [{host: "${http.host}:80", ip: ${https.address}, insecure: true}]\n`,
    );
    try {
      const sharedBook = `${dir}/replicas-shared.yml`;
      writeFileSync(sharedBook, `${readFileSync(book, 'utf8')}- hosts: nodes\n  registries: [{host: ${http.host}, ip: ${http.address}, insecure: true}]\n`);
      const hostsBefore = (await sh(b, 'sha256sum /etc/hosts')).stdout;
      const refused = await dockhand(['apply', sharedBook, '-i', writeInventory(dir, lab, [a, b], 'replicas.ini'), '--known-hosts', knownHosts, '--json']);
      expect(refused.exitCode, refused.stdout).toBe(1);
      expect(JSON.parse(refused.stdout).error.message).toMatch(new RegExp(`give both the same ip \\(node ${b.name} is in both plays\\)$`));
      expect((await sh(b, 'sha256sum /etc/hosts')).stdout).toBe(hostsBefore);

      const apply = await dockhand(['apply', book, '-i', writeInventory(dir, lab, [a, b], 'replicas.ini'), '--known-hosts', knownHosts, '--json']);
      expect(apply.exitCode, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      expect((await sh(a, `getent hosts ${http.host}`)).stdout.split(/\s+/)[0]).toBe(http.address);
      expect((await sh(b, `getent hosts ${http.host}`)).stdout.split(/\s+/)[0]).toBe(https.address);
      expect((await sh(a, `docker pull ${http.host}/library/tiny:1`)).exitCode).toBe(0);
      const check = await dockhand(['check', book, '-i', writeInventory(dir, lab, [a, b], 'replicas.ini'), '--known-hosts', knownHosts, '--json']);
      expect(check.exitCode, check.stdout).toBe(0);
    } finally {
      await resetNodes([a, b]);
    }
  });

  it('a play of 40 registries, each with a CA of its own, is read on the node: the script never rides on the command line', async () => {
    // the state read once went into sshd's command line, twice over: past 128 KiB (one argument's limit
    // on Linux, MAX_ARG_STRLEN) every node failed with "Argument list too long"; seven CAs were enough
    const node = nodes[0]!;
    await resetNodes([node]);
    const registries = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const ca = `${dir}/many-ca-${i}.crt`;
      await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', '/dev/null', '-out', ca, '-subj', `/CN=dockhand test CA ${i}`, '-days', '30']);
      // TEST-NET-1: nothing answers there (the node's own view then says so), so no CA is judged wrong
      return `    - {host: reg${i}.lab.invalid, ip: 192.0.2.${i + 1}, ca: ${ca}}`;
    }));
    const book = `${dir}/many.yml`;
    writeFileSync(book, `- hosts: all\n  registries:\n${registries.join('\n')}\n`);
    const run = await dockhand(['check', book, '-i', writeInventory(dir, lab, [node], 'many.ini'), '--known-hosts', knownHosts, '--json']);
    expect(run.exitCode, said(run)).toBe(3);
    const host = (JSON.parse(run.stdout) as Report).hosts[0]!;
    expect(host.error, said(run)).toBeNull();
    expect(host.status).toBe('drift');
    expect(host.changes.filter((c) => c.resource === 'certs.d')).toHaveLength(40);
    expect((host as unknown as { reach: unknown[] }).reach).toHaveLength(40);
  });
});
