// The configuration a cluster's installer already has, used as it is: a KubeKey cluster file and a
// Kubespray inventory directory, written for the lab's nodes the way their users write them, converge
// those nodes with `dockhand apply --from-kubekey FILE` / `--from-kubespray DIR`; both lab registries
// serve pulls on every node afterwards, and `check` then exits 0. Nodes are put back as they were.
//
// One entry of RUNTIMES per container runtime: its nodes, how an installer names it, and how a node
// pulls (docker pull; on containerd nodes through the node's CRI, as kubelet pulls).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { containerdNodes, oneOfEachVariant, loadLab, nodeExec, readSecret, type Lab, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const http = lab.registries.http;
const https = lab.registries.https;
const image = (host: string) => `${host}/library/tiny:1`;

interface RuntimeCase {
  /** containerManager (KubeKey) and container_manager (Kubespray). */
  readonly manager: 'docker' | 'containerd';
  readonly nodes: readonly LabNode[];
  /** Pulls `ref` on the node, logged in to the https registry; the node's output on failure. */
  readonly pull: (node: LabNode, ref: string) => Promise<{ ok: boolean; output: string }>;
  /** What Kubespray's group_vars say for this runtime: both lab registries, the https one without its CA. */
  readonly kubesprayVars: (lab: Lab) => Record<string, unknown>;
}

const DOCKER_VARIANTS: readonly string[] = ['debian', 'rhel', 'docker-ce'];

const RUNTIMES: readonly RuntimeCase[] = [
  {
    manager: 'docker',
    nodes: lab.nodes.filter((n) => DOCKER_VARIANTS.includes(n.variant)),
    pull: async (node, ref) => {
      const password = readSecret(https.passwordFile);
      const script = `docker login -u ${https.username} --password-stdin ${https.host} >/dev/null && docker pull ${ref}; s=$?; docker logout ${https.host} >/dev/null; docker rmi -f ${ref} >/dev/null 2>&1; exit $s`;
      const run = await nodeExec(node, ['sh', '-c', script], password);
      return { ok: run.exitCode === 0, output: run.output };
    },
    // Kubespray's docker role has no CA setting: an https registry with a private CA is listed as insecure.
    kubesprayVars: (l) => ({ docker_insecure_registries: [l.registries.http.host, l.registries.https.host] }),
  },
  {
    manager: 'containerd',
    nodes: oneOfEachVariant(containerdNodes(lab)),
    pull: async (node, ref) => {
      const cri = new CriClient({ connect: unixSocket(node.criSocket!), target: node.name, pullTimeoutMs: 60_000 });
      try {
        await cri.pullImage(ref, { auth: { username: https.username, password: readSecret(https.passwordFile) } });
        await cri.removeImage(ref);
        return { ok: true, output: '' };
      } catch (error) {
        return { ok: false, output: String(error) };
      } finally {
        await cri.close();
      }
    },
    // Kubespray's containerd_registries_mirrors: one entry per registry, its mirrors the registry itself; the
    // https one with its CA (issue 20, item 5: that CA and those capabilities reach hosts.toml exactly)
    kubesprayVars: (l) => ({
      containerd_registries_mirrors: [
        { prefix: l.registries.http.host, mirrors: [{ host: `http://${l.registries.http.host}`, capabilities: ['pull', 'resolve'], skip_verify: true }] },
        { prefix: l.registries.https.host, mirrors: [{ host: `https://${l.registries.https.host}`, capabilities: ['pull', 'resolve'], ca: l.registries.https.caCertPath }] },
      ],
    }),
  },
];

const dir = scratchDir('sources');
const knownHosts = join(dir, 'known_hosts');
const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

interface Report {
  hosts: { name: string; status: string; error: string | null }[];
}

/**
 * A KubeKey v3 cluster file for `nodes`: the first logs in as ops with its password (KubeKey then runs
 * everything through sudo with that password), the others as root with the lab key; the Debian nodes
 * named by a range, as KubeKey users write them; the registries as KubeKey's spec.registry gives them,
 * and their names in spec.dns.nodeEtcHosts, which KubeKey writes into every node's /etc/hosts.
 */
function writeKubeKeyCluster(manager: string, nodes: readonly LabNode[]): string {
  const [first, ...rest] = nodes;
  if (first === undefined) throw new Error('no nodes for the cluster file');
  const debian = nodes.filter((n) => /^deb\d+$/.test(n.name)).map((n) => Number(n.name.slice(3))).sort((a, b) => a - b);
  const contiguous = debian.length > 1 && debian.every((n, i) => n === debian[0]! + i);
  const workers = contiguous
    ? [`deb[${debian[0]}:${debian[debian.length - 1]}]`, ...nodes.filter((n) => !/^deb\d+$/.test(n.name)).map((n) => n.name)]
    : nodes.map((n) => n.name);
  const cluster = {
    apiVersion: 'kubekey.kubesphere.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'lab' },
    spec: {
      hosts: [
        { name: first.name, address: first.address, internalAddress: first.address, user: lab.opsUser, password: readSecret(lab.opsPasswordFile), privateKeyPath: lab.sshKeyPath },
        ...rest.map((n) => ({ name: n.name, address: n.address, internalAddress: n.address, privateKeyPath: lab.sshKeyPath })),
      ],
      roleGroups: { etcd: [first.name], 'control-plane': [first.name], worker: workers },
      dns: { nodeEtcHosts: `${http.address} ${http.host}\n${https.address} ${https.host}\n` },
      kubernetes: { version: 'v1.23.17', containerManager: manager },
      registry: {
        privateRegistry: `${https.host}/kubesphere`,
        insecureRegistries: [http.host],
        auths: { [https.host]: { username: https.username, password: readSecret(https.passwordFile), caFile: https.caCertPath } },
      },
    },
  };
  const file = join(dir, `config-${manager}.yaml`);
  writeFileSync(file, stringify(cluster), { mode: 0o600 });
  return file;
}

/** A Kubespray inventory directory for `nodes`: hosts.yaml as its inventory builder wrote it, group_vars as its sample lays them out. */
function writeKubesprayInventory(runtime: RuntimeCase): string {
  const inventory = join(dir, `kubespray-${runtime.manager}`);
  const [first, ...rest] = runtime.nodes;
  const hosts = Object.fromEntries(runtime.nodes.map((n) => [n.name, { ansible_host: n.address, ip: n.address, access_ip: n.address }]));
  const members = (list: readonly LabNode[]) => Object.fromEntries(list.map((n) => [n.name, null]));
  writeFile(join(inventory, 'hosts.yaml'), stringify({
    all: {
      hosts,
      children: {
        kube_control_plane: { hosts: members([first!]) },
        kube_node: { hosts: members(rest) },
        etcd: { hosts: members([first!]) },
        calico_rr: { hosts: {} },
      },
    },
  }));
  writeFile(join(inventory, 'group_vars/all/all.yml'), stringify({ bin_dir: '/usr/local/bin', ansible_user: 'root', ansible_ssh_private_key_file: lab.sshKeyPath }));
  writeFile(join(inventory, `group_vars/all/${runtime.manager}.yml`), stringify(runtime.kubesprayVars(lab)));
  writeFile(join(inventory, 'group_vars/k8s_cluster/k8s-cluster.yml'), stringify({ kube_network_plugin: 'calico', container_manager: runtime.manager }));
  return inventory;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Kubespray leaves a registry's name to DNS: the lab stands in for it with /etc/hosts lines, removed afterwards. */
const DNS_MARK = '# lab dns (sources.test.ts)';
async function labDns(nodes: readonly LabNode[], present: boolean): Promise<void> {
  const add = `printf '%s\\t%s ${DNS_MARK}\\n%s\\t%s ${DNS_MARK}\\n' ${http.address} ${http.host} ${https.address} ${https.host} >> /etc/hosts`;
  const remove = `grep -v '${DNS_MARK}' /etc/hosts > /tmp/hosts.sources; cat /tmp/hosts.sources > /etc/hosts`;
  await Promise.all(nodes.map((node) => nodeExec(node, ['sh', '-c', present ? `${remove}; ${add}` : remove])));
}

/** Every node pulls from both registries (nodes side by side, each node's two pulls in turn). */
async function expectPulls(runtime: RuntimeCase): Promise<void> {
  const pulls = await Promise.all(runtime.nodes.map(async (node) => {
    const results: [string, { ok: boolean; output: string }][] = [];
    for (const ref of [image(http.host), image(https.host)]) results.push([`${node.name}: ${ref}`, await runtime.pull(node, ref)]);
    return results;
  }));
  for (const [what, pull] of pulls.flat()) expect(pull.ok, `${what}: ${pull.output}`).toBe(true);
}

/** Converging ten nodes and pulling on each takes a while on a busy machine. */
const SLOW = 300_000;

function expectConverged(run: CliRun, nodes: readonly LabNode[]): void {
  expect(run.exitCode, said(run)).toBe(0);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.hosts.map((h) => h.name).sort()).toEqual(nodes.map((n) => n.name).sort());
  for (const host of report.hosts) expect(host.status, `${host.name}: ${host.error}`).toBe('changed');
}

describe.each(RUNTIMES)('installer configuration on $manager nodes', (runtime) => {
  const secrets = [readSecret(lab.opsPasswordFile), readSecret(https.passwordFile)];
  beforeAll(() => resetNodes(runtime.nodes), 180_000);
  afterAll(async () => {
    await labDns(runtime.nodes, false);
    await resetNodes(runtime.nodes);
  }, 180_000);

  it('apply --from-kubekey FILE converges the nodes the cluster file names; both registries then serve pulls; check exits 0', async () => {
    expect(runtime.nodes.length).toBeGreaterThanOrEqual(3);
    const file = writeKubeKeyCluster(runtime.manager, runtime.nodes);
    const printed = await dockhand(['apply', '--from-kubekey', file, '--print-play']);
    expect(printed.exitCode, said(printed)).toBe(0);
    expect(printed.stdout).toContain(`host: ${https.host}\n    ip: ${https.address}\n    ca: ${https.caCertPath}`);
    expect(printed.stdout).toContain(`host: ${http.host}\n    ip: ${http.address}\n    insecure: true`);

    const apply = await dockhand(['apply', '--from-kubekey', file, '--known-hosts', knownHosts, '--json', '-vv']);
    expectConverged(apply, runtime.nodes);
    for (const secret of secrets) expect(`${apply.stdout}${apply.stderr}`).not.toContain(secret);
    await expectPulls(runtime);
    const check = await dockhand(['check', '--from-kubekey', file, '--known-hosts', knownHosts]);
    expect(check.exitCode, said(check)).toBe(0);
  }, SLOW);

  it('apply --from-kubespray DIR converges the nodes of k8s_cluster from group_vars; both registries then serve pulls; check exits 0', async () => {
    await resetNodes(runtime.nodes);
    await labDns(runtime.nodes, true);
    const inventory = writeKubesprayInventory(runtime);
    const apply = await dockhand(['apply', '--from-kubespray', inventory, '--known-hosts', knownHosts, '--json']);
    expectConverged(apply, runtime.nodes);
    await expectPulls(runtime);
    const check = await dockhand(['check', '--from-kubespray', inventory, '--known-hosts', knownHosts]);
    expect(check.exitCode, said(check)).toBe(0);
  }, SLOW);
});
