// Untimed work on the nodes, through nodeExec (nsenter, whose processes are not charged to the node's cgroup;
// else `docker exec`) and (containerd nodes) their CRI socket: saving the pristine files, resetting a node to
// fresh, verifying that a run really converged it, down to a pull through the node's runtime.
import { CriClient, registryConfigPath, unixSocket } from '../src/cri/index.ts';
import { nodeExec, readSecret } from '../test/lab/lab.ts';
import type { Lab, LabNode } from '../test/lab/types.ts';
import { floorKindOf, floorScript, runtimeOf, type FloorValues } from './floor.ts';

const HOSTS_COPY = '/root/.bench-hosts.orig';
const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
const CONTAINERD_CONFIG_COPY = '/root/.bench-containerd-config.orig';
const CERTS_DIR = '/etc/containerd/certs.d';

async function onEveryNode(lab: Lab, what: string, script: (n: LabNode) => string, expectExit = 0): Promise<void> {
  const results = await Promise.all(lab.nodes.map(async (n) => ({ n, r: await nodeExec(n, ['sh', '-s'], script(n)) })));
  const bad = results.filter(({ r }) => r.exitCode !== expectExit);
  if (bad.length > 0) {
    const detail = bad.map(({ n, r }) => `  ${n.name}: exit ${r.exitCode} (expected ${expectExit}): ${r.output.trim().slice(-400)}`).join('\n');
    throw new Error(`${what} failed on ${bad.length} node(s):\n${detail}`);
  }
}

/** Runs `check` on every containerd node's CRI, from this machine, with one client per node. */
async function onEveryCri(lab: Lab, what: string, check: (cri: CriClient, n: LabNode) => Promise<void>): Promise<void> {
  const nodes = lab.nodes.filter((n) => runtimeOf(n) === 'containerd');
  const failures = await Promise.all(nodes.map(async (n) => {
    if (n.criSocket === undefined) return `  ${n.name}: lab.json gives no criSocket`;
    const cri = new CriClient({ connect: unixSocket(n.criSocket), target: n.name, pullTimeoutMs: 60_000 });
    try {
      await check(cri, n);
      return undefined;
    } catch (error) {
      return `  ${n.name}: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      await cri.close();
    }
  }));
  const bad = failures.filter((f) => f !== undefined);
  if (bad.length > 0) throw new Error(`${what} failed on ${bad.length} node(s):\n${bad.join('\n')}`);
}

/** Keep each node's pristine /etc/hosts (and containerd's config.toml), to write them back on reset. */
export function saveNodeFiles(lab: Lab): Promise<void> {
  return onEveryNode(lab, 'saving the pristine files', (n) => `set -e
cp /etc/hosts ${HOSTS_COPY}
${runtimeOf(n) === 'containerd' ? `cp ${CONTAINERD_CONFIG} ${CONTAINERD_CONFIG_COPY}` : ''}
`);
}

function trustReset(node: LabNode): string {
  return `rm -rf /usr/local/share/ca-certificates/dockhand
rm -f /etc/pki/ca-trust/source/anchors/dockhand-*.crt
${node.family === 'rhel' ? 'update-ca-trust extract' : 'update-ca-certificates'} >/dev/null 2>&1`;
}

function dockerReset(node: LabNode, v: FloorValues): string {
  return `set -e
cat ${HOSTS_COPY} > /etc/hosts
rm -rf '/etc/docker/certs.d/${v.httpsHost}'
rmdir /etc/docker/certs.d 2>/dev/null || true
${trustReset(node)}
rm -f /etc/systemd/system/docker.service.d/docker-options.conf
${floorKindOf(node) === 'daemon-json' ? '# a fresh docker-ce node has no daemon.json (the floor and dockhand write it)\nrm -f /etc/docker/daemon.json' : ''}
# dockhand's own state (backups, owed handlers, node lock): a fresh node has none
rm -rf /var/lib/dockhand
rmdir /etc/systemd/system/docker.service.d 2>/dev/null || true
systemctl daemon-reload
systemctl reset-failed docker.service 2>/dev/null || true
systemctl restart docker.service
n=0
until systemctl is-active --quiet docker.service; do
  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "docker not active after reset"; exit 1; }
  sleep 1
done
# fresh again: hosts pristine, dockerd without the lab's insecure registry
cmp -s ${HOSTS_COPY} /etc/hosts || { echo "/etc/hosts not restored"; exit 1; }
[ ! -e /etc/docker/daemon.json ] || ! grep -q insecure /etc/docker/daemon.json || { echo "daemon.json has registry settings"; exit 1; }
if docker info 2>/dev/null | grep -q '${v.httpHost}'; then echo "dockerd still lists ${v.httpHost}"; exit 1; fi
docker info >/dev/null 2>&1 || { echo "docker info fails after reset"; exit 1; }
`;
}

function containerdReset(node: LabNode): string {
  return `set -e
cat ${HOSTS_COPY} > /etc/hosts
rm -rf ${CERTS_DIR}
${trustReset(node)}
cat ${CONTAINERD_CONFIG_COPY} > ${CONTAINERD_CONFIG}
# dockhand's own state (backups, owed handlers, node lock): a fresh node has none
rm -rf /var/lib/dockhand
systemctl reset-failed containerd.service 2>/dev/null || true
systemctl restart containerd.service
n=0
until ctr plugins ls 2>/dev/null | grep -q '^io\\.containerd\\.grpc\\.v1 *cri .* ok *$'; do
  n=$((n + 1)); [ "$n" -lt 120 ] || { echo "containerd's CRI plugin not ok after reset"; exit 1; }
  sleep 0.5
done
# fresh again: hosts and config.toml pristine (the running CRI's config_path is checked from outside)
cmp -s ${HOSTS_COPY} /etc/hosts || { echo "/etc/hosts not restored"; exit 1; }
cmp -s ${CONTAINERD_CONFIG_COPY} ${CONTAINERD_CONFIG} || { echo "${CONTAINERD_CONFIG} not restored"; exit 1; }
`;
}

/** Every node back to fresh (not timed); containerd nodes' running CRI without config_path again. */
export async function resetNodes(lab: Lab, v: FloorValues): Promise<void> {
  await onEveryNode(lab, 'reset', (n) => (runtimeOf(n) === 'containerd' ? containerdReset(n) : dockerReset(n, v)));
  await onEveryCri(lab, 'reset (CRI config_path)', async (cri) => {
    const configPath = registryConfigPath(await cri.status({ verbose: true }));
    if (configPath !== '') throw new Error(`the running CRI still uses config_path ${configPath}`);
  });
}

/** The lab's seeded image in one registry, as image references name it. */
function seeded(lab: Lab, host: string): string {
  return `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0] ?? 'latest'}`;
}

/**
 * Docker nodes: a pull from both registries through dockerd (the https one after a login, the password on
 * stdin of `docker login`, never in an argument); image and login removed again.
 */
function dockerPulls(lab: Lab, password: string): string {
  const { http, https } = lab.registries;
  const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  return `docker pull -q ${seeded(lab, http.host)} >/dev/null 2>&1 || miss "docker pull from ${http.host}"
printf '%s\\n' ${q(password)} | docker login -u ${q(https.username)} --password-stdin ${https.host} >/dev/null 2>&1 || miss "docker login ${https.host}"
docker pull -q ${seeded(lab, https.host)} >/dev/null 2>&1 || miss "docker pull from ${https.host}"
docker logout ${https.host} >/dev/null 2>&1
docker image rm -f ${seeded(lab, http.host)} ${seeded(lab, https.host)} >/dev/null 2>&1
`;
}

/**
 * Every node converged: its runtime's floor check passes (the files, and what the running runtime shows),
 * the CA is in the system trust bundle, and a pull from both registries works through the node's runtime:
 * dockerd on Docker nodes; on containerd nodes the CRI image service (as kubelet pulls), whose running
 * config_path must be the certs.d directory.
 */
export async function verifyConverged(lab: Lab, v: FloorValues, after: string): Promise<void> {
  const caLine = Buffer.from(v.caB64, 'base64').toString('utf8').split('\n')[1] ?? '';
  const { http, https } = lab.registries;
  const password = readSecret(https.passwordFile);
  await onEveryNode(lab, `verifying convergence after ${after}`, (n) => {
    const bundle = n.family === 'rhel' ? '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem' : '/etc/ssl/certs/ca-certificates.crt';
    const check = floorScript('check', n, v);
    const last = 'exit $((drift * 3))\n';
    if (!check.endsWith(last)) throw new Error(`the ${runtimeOf(n)} floor check script must end with: exit $((drift * 3))`);
    const pulls = runtimeOf(n) === 'docker' ? dockerPulls(lab, password) : '';
    return `${check.slice(0, -last.length)}grep -qxF -- '${caLine}' ${bundle} || miss "CA not in ${bundle}"\n${pulls}${last}`;
  });
  await onEveryCri(lab, `verifying convergence after ${after} (CRI)`, async (cri) => {
    const configPath = registryConfigPath(await cri.status({ verbose: true }));
    if (configPath !== CERTS_DIR) throw new Error(`the running CRI uses config_path "${configPath}", not ${CERTS_DIR}`);
    for (const [image, auth] of [
      [seeded(lab, http.host), undefined],
      [seeded(lab, https.host), { username: https.username, password }],
    ] as const) {
      try {
        await cri.pullImage(image, auth === undefined ? {} : { auth });
      } catch (error) {
        throw new Error(`CRI pull of ${image}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await cri.removeImage(image);
    }
  });
}

/** Every node fresh: its floor check must find drift (it is not vacuous). */
export function verifyFloorCheckSeesDrift(lab: Lab, v: FloorValues): Promise<void> {
  return onEveryNode(lab, 'floor-check on fresh nodes (must report drift)', (n) => floorScript('check', n, v), 3);
}
