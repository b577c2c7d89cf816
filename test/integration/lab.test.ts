// Smoke test: the lab's nodes and registries are real (systemd, sshd, dockerd, sudo, TLS, a pullable image).
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { findNode, loadLab, nodeExec, readSecret, type Lab, type LabNode } from '../lab/lab.ts';
import { resetNodes } from '../support/reset.ts';

let lab: Lab;
beforeAll(async () => {
  lab = loadLab();
  // other test files change the nodes: start from fresh ones, as the lab came up
  await resetNodes(lab.nodes);
}, 180_000);

// Debian's docker unit has StartLimitBurst=3 per 60 s (as on a real node): tests that restart docker
// repeatedly (e.g. reruns against a reused lab) clear the counter first.
const RESTART_DOCKER = 'systemctl reset-failed docker.service docker.socket 2>/dev/null; systemctl restart docker';

async function sh(node: LabNode, script: string, input?: string): Promise<{ exitCode: number; output: string; stdout: string }> {
  return nodeExec(node, ['sh', '-c', script], input);
}

async function ok(node: LabNode, script: string, input?: string): Promise<string> {
  const r = await sh(node, script, input);
  expect(r.exitCode, `${node.name}: ${script}\n${r.output}`).toBe(0);
  return r.stdout;
}

function sshArgs(user: string, address: string, ...cmd: string[]): string[] {
  return ['-i', lab.sshKeyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${address}`, ...cmd];
}

describe('lab nodes', () => {
  it('has the expected nodes', () => {
    const names = lab.nodes.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['deb1', 'deb2', 'rhel1', 'ce1']));
  });

  it.each(['deb1', 'deb2', 'rhel1', 'ce1'])('%s runs systemd as PID 1, a booted system and dockerd', async (name) => {
    const node = findNode(name, lab);
    expect((await ok(node, 'cat /proc/1/comm')).trim()).toBe('systemd');
    const state = (await sh(node, 'systemctl is-system-running')).stdout.trim();
    expect(['running', 'degraded'], `is-system-running: ${state}`).toContain(state);
    expect(await ok(node, "docker info --format '{{.ServerVersion}} {{.Driver}}'")).toMatch(/^\d+\.\d+.* overlay2/);
    expect(await ok(node, 'hostname')).toBe(`${name}\n`);
  });

  it.each(['deb1', 'deb2', 'rhel1', 'ce1'])('%s: ssh as root with the lab key; ops needs a sudo password', async (name) => {
    const node = findNode(name, lab);
    const root = await execa('ssh', sshArgs('root', node.address, 'id', '-u'), { reject: false });
    expect(root.exitCode, root.stderr).toBe(0);
    expect(root.stdout.trim()).toBe('0');
    const sudoN = await execa('ssh', sshArgs(lab.opsUser, node.address, 'sudo', '-n', 'true'), { reject: false });
    expect(sudoN.exitCode, 'sudo -n must fail for ops').not.toBe(0);
    expect(sudoN.stderr).toMatch(/password is required/);
    const withPw = await execa('ssh', sshArgs(lab.opsUser, node.address, "sudo -S -p '' id -u"), {
      reject: false, input: `${readSecret(lab.opsPasswordFile)}\n`,
    });
    expect(withPw.exitCode, withPw.stderr).toBe(0);
    expect(withPw.stdout.trim()).toBe('0');
  });

  it('a podman node runs systemd and sshd, has podman 4.3 and skopeo 1.9 from Debian 12, and neither dockerd nor containerd', async () => {
    const node = lab.nodes.find((n) => n.variant === 'podman');
    expect(node, 'the lab has a podman node').toBeDefined();
    expect((await ok(node!, 'cat /proc/1/comm')).trim()).toBe('systemd');
    expect(await ok(node!, 'podman --version; skopeo --version')).toMatch(/^podman version 4\.3\.\d+\nskopeo version 1\.9\.\d+/);
    expect((await sh(node!, 'command -v dockerd || command -v containerd')).exitCode).not.toBe(0);
    expect(await ok(node!, 'ls /etc/containers/registries.conf.d')).toBe('shortnames.conf\n');
  });

  it('no node knows the registry names', async () => {
    for (const node of lab.nodes) {
      const hosts = await ok(node, 'cat /etc/hosts');
      expect(hosts).not.toContain('lab.local');
      // and a lookup fails fast: no DNS server is reachable from a node (nothing leaves the lab)
      const started = Date.now();
      expect((await sh(node, 'getent hosts harbor.lab.local')).exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('each node has its own ssh host key', async () => {
    const keys = await Promise.all(lab.nodes.map((n) => ok(n, 'cat /etc/ssh/ssh_host_ed25519_key.pub')));
    expect(new Set(keys).size).toBe(lab.nodes.length);
  });
});

describe('lab registries', () => {
  const https = (): Lab['registries']['https'] => lab.registries.https;
  const resolve = (): string => `--resolve ${https().host}:443:${https().address}`;

  it('the https registry rejects a client that does not trust the lab CA, and serves one that does', async () => {
    const node = findNode('deb1', lab);
    const untrusted = await sh(node, `curl -sS -o /dev/null ${resolve()} https://${https().host}/v2/`);
    expect(untrusted.exitCode, untrusted.output).not.toBe(0);
    expect(untrusted.output).toMatch(/certificate/i);
    await ok(node, 'cat > /tmp/lab-ca.crt', readFileSync(https().caCertPath, 'utf8'));
    const noLogin = await ok(node, `curl -sS -o /dev/null -w '%{http_code}' --cacert /tmp/lab-ca.crt ${resolve()} https://${https().host}/v2/`);
    expect(noLogin).toBe('401');
    // credentials through curl's config on stdin, not argv
    const code = await ok(node,
      `curl -sS -o /dev/null -w '%{http_code}' -K - --cacert /tmp/lab-ca.crt ${resolve()} https://${https().host}/v2/`,
      `user = "${https().username}:${readSecret(https().passwordFile)}"\n`);
    expect(code).toBe('200');
    await ok(node, 'rm -f /tmp/lab-ca.crt');
  });

  it('deb2 pulls the seeded image from the http registry once DOCKER_OPTS marks it insecure (then undone)', async () => {
    const node = findNode('deb2', lab);
    const { host, address } = lab.registries.http;
    const dropIn = '/etc/systemd/system/docker.service.d/docker-options.conf';
    try {
      // /etc/hosts is a bind mount in a container: append, never rename onto it
      await ok(node, `echo "${address} ${host}" >> /etc/hosts`);
      await ok(node, `mkdir -p /etc/systemd/system/docker.service.d && printf '[Service]\\nEnvironment="DOCKER_OPTS=--insecure-registry=${host}"\\n' > ${dropIn}`);
      await ok(node, `systemctl daemon-reload && ${RESTART_DOCKER}`);
      expect(await ok(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'")).toContain(host);
      await ok(node, `docker pull ${host}/library/tiny:1`);
      expect(await ok(node, `docker image inspect --format '{{.Architecture}}/{{.Os}}' ${host}/library/tiny:1`)).toBe('amd64/linux\n');
    } finally {
      await sh(node, `docker rmi -f ${host}/library/tiny:1; rm -f ${dropIn}; rmdir /etc/systemd/system/docker.service.d 2>/dev/null; ` +
        `grep -v ' ${host}$' /etc/hosts > /tmp/hosts.new && cat /tmp/hosts.new > /etc/hosts && rm -f /tmp/hosts.new; ` +
        `systemctl daemon-reload && ${RESTART_DOCKER}`);
    }
    expect(await ok(node, 'cat /etc/hosts')).not.toContain(host);
    expect(await ok(node, 'systemctl is-active docker')).toBe('active\n');
    expect(await ok(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'")).not.toContain(host);
  });

  it('the docker-ce-like node ignores a DOCKER_OPTS drop-in (its unit has no $DOCKER_OPTS)', async () => {
    const node = findNode('ce1', lab);
    const execStart = await ok(node, 'systemctl show -p ExecStart docker');
    expect(execStart).toContain('dockerd -H fd://');
    expect(execStart).not.toContain('DOCKER_OPTS');
    const deb = await ok(findNode('deb1', lab), 'systemctl show -p ExecStart docker');
    expect(deb).toContain('$DOCKER_OPTS');
  });
});

describe('the suite\'s lean nodes (images/lab-lean.sh)', () => {
  it('the suite starts its labs lean', () => {
    expect(lab.lean).toBe(true);
  });

  it.each(['deb1', 'ce1'])('%s: no unit generators, dockerd without iptables in its unit, three public roots, one host key', async (name) => {
    const node = findNode(name, lab);
    // trimmed before boot, and systemd still PID 1
    expect(await ok(node, 'cat /etc/dockhand-lab-lean')).toMatch(/^trimmed for the test suite at /);
    expect(await ok(node, 'cat /proc/1/comm')).toBe('systemd\n');
    expect(await ok(node, 'ls /etc/ssh/ssh_host_*_key')).toBe('/etc/ssh/ssh_host_ed25519_key\n');
    expect(Number(await ok(node, 'ls /etc/systemd/system-generators | wc -l'))).toBeGreaterThan(5);
    expect(await ok(node, 'systemctl show -p ExecStart docker')).toContain('dockerd -H fd:// --iptables=false --ip6tables=false');
    expect(await ok(node, 'ls /etc/systemd/system/docker.service.d 2>/dev/null; test ! -e /etc/docker/daemon.json && echo no-daemon-json')).toBe('no-daemon-json\n');
    expect(await ok(node, "grep -c '^mozilla/' /etc/ca-certificates.conf")).toBe('3\n');
    // the store is update-ca-certificates' own: a refresh changes nothing
    expect(await ok(node, 'update-ca-certificates 2>&1 | grep added')).toContain('0 added, 0 removed');
  });

  it('rhel1: its bundle holds the three public roots', async () => {
    const node = findNode('rhel1', lab);
    expect(await ok(node, "grep -c 'BEGIN CERTIFICATE' /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem")).toBe('3\n');
  });
});

describe('the RHEL-family stand-in', () => {
  it('looks like Rocky 9: os-release, redhat-release, update-ca-trust, no update-ca-certificates', async () => {
    const node = findNode('rhel1', lab);
    expect(await ok(node, '. /etc/os-release && echo "$ID|$ID_LIKE|$VERSION_ID"')).toBe('rocky|rhel centos fedora|9.4\n');
    expect(await ok(node, 'cat /etc/redhat-release')).toMatch(/^Rocky Linux release 9/);
    expect((await sh(node, 'command -v update-ca-certificates')).exitCode).not.toBe(0);
    expect(await ok(node, 'command -v update-ca-trust')).toBe('/usr/bin/update-ca-trust\n');
    await ok(node, 'test -d /etc/pki/ca-trust/source/anchors && test -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem');
  });

  it('an anchor + update-ca-trust makes curl and dockerd trust the https registry (then undone)', async () => {
    const node = findNode('rhel1', lab);
    const reg = lab.registries.https;
    const anchor = '/etc/pki/ca-trust/source/anchors/dockhand-lab-ca.crt';
    const url = `--resolve ${reg.host}:443:${reg.address} https://${reg.host}/v2/`;
    expect((await sh(node, `curl -sS -o /dev/null ${url}`)).exitCode).not.toBe(0);
    try {
      // DER on purpose: update-ca-trust must convert it
      await ok(node, `openssl x509 -outform DER -out ${anchor}`, readFileSync(reg.caCertPath, 'utf8'));
      await ok(node, 'update-ca-trust extract');
      expect(await ok(node, `curl -sS -o /dev/null -w '%{http_code}' ${url}`)).toBe('401');
      await ok(node, RESTART_DOCKER);
      await ok(node, `echo "${reg.address} ${reg.host}" >> /etc/hosts`);
      const login = await sh(node, `docker login -u ${reg.username} --password-stdin ${reg.host}`, `${readSecret(reg.passwordFile)}\n`);
      expect(login.exitCode, login.output).toBe(0);
      await ok(node, `docker pull ${reg.host}/library/tiny:latest`);
    } finally {
      await sh(node, `docker logout ${reg.host}; docker rmi -f ${reg.host}/library/tiny:latest; rm -f ${anchor}; update-ca-trust; ` +
        `grep -v ' ${reg.host}$' /etc/hosts > /tmp/hosts.new && cat /tmp/hosts.new > /etc/hosts && rm -f /tmp/hosts.new; ${RESTART_DOCKER}`);
    }
    expect((await sh(node, `curl -sS -o /dev/null ${url}`)).exitCode).not.toBe(0);
    expect(await ok(node, 'cat /etc/hosts')).not.toContain(reg.host);
  });
});
