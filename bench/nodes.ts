// Untimed work on the nodes through `docker exec`: saving /etc/hosts, resetting a node to fresh,
// verifying that a run really converged it.
import { nodeExec } from '../test/lab/lab.ts';
import type { Lab, LabNode } from '../test/lab/types.ts';
import { floorScript, type FloorValues } from './floor.ts';

const HOSTS_COPY = '/root/.bench-hosts.orig';

async function onEveryNode(lab: Lab, what: string, script: (n: LabNode) => string, expectExit = 0): Promise<void> {
  const results = await Promise.all(lab.nodes.map(async (n) => ({ n, r: await nodeExec(n, ['sh', '-s'], script(n)) })));
  const bad = results.filter(({ r }) => r.exitCode !== expectExit);
  if (bad.length > 0) {
    const detail = bad.map(({ n, r }) => `  ${n.name}: exit ${r.exitCode} (expected ${expectExit}): ${r.output.trim().slice(-400)}`).join('\n');
    throw new Error(`${what} failed on ${bad.length} node(s):\n${detail}`);
  }
}

/** Keep each node's pristine /etc/hosts, to write it back in place on reset. */
export function saveHosts(lab: Lab): Promise<void> {
  return onEveryNode(lab, 'saving /etc/hosts', () => `set -e\ncp /etc/hosts ${HOSTS_COPY}\n`);
}

function resetScript(node: LabNode, v: FloorValues): string {
  const trust = node.family === 'rhel' ? 'update-ca-trust extract' : 'update-ca-certificates';
  return `set -e
cat ${HOSTS_COPY} > /etc/hosts
rm -rf '/etc/docker/certs.d/${v.httpsHost}' /usr/local/share/ca-certificates/dockhand
rmdir /etc/docker/certs.d 2>/dev/null || true
rm -f /etc/pki/ca-trust/source/anchors/dockhand-*.crt /etc/systemd/system/docker.service.d/docker-options.conf
# dockhand's own state (backups, owed handlers, node lock): a fresh node has none
rm -rf /var/lib/dockhand
rmdir /etc/systemd/system/docker.service.d 2>/dev/null || true
${trust} >/dev/null 2>&1
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

/** Every node back to fresh (not timed). */
export function resetNodes(lab: Lab, v: FloorValues): Promise<void> {
  return onEveryNode(lab, 'reset', (n) => resetScript(n, v));
}

/**
 * Every node converged: floor-check.sh passes (hosts pins, certs.d and anchor content, drop-in
 * flags, dockerd listing both insecure registries) and the CA is in the system trust bundle.
 */
export async function verifyConverged(lab: Lab, v: FloorValues, after: string): Promise<void> {
  const caLine = Buffer.from(v.caB64, 'base64').toString('utf8').split('\n')[1] ?? '';
  await onEveryNode(lab, `verifying convergence after ${after}`, (n) => {
    const bundle = n.family === 'rhel' ? '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem' : '/etc/ssl/certs/ca-certificates.crt';
    const check = floorScript('check', n, v);
    const last = 'exit $((drift * 3))\n';
    if (!check.endsWith(last)) throw new Error('bench/floor-check.sh must end with: exit $((drift * 3))');
    return `${check.slice(0, -last.length)}grep -qxF -- '${caLine}' ${bundle} || miss "CA not in ${bundle}"\n${last}`;
  });
}

/** Every node fresh: floor-check.sh must find drift (it is not vacuous). */
export function verifyFloorCheckSeesDrift(lab: Lab, v: FloorValues): Promise<void> {
  return onEveryNode(lab, 'floor-check on fresh nodes (must report drift)', (n) => floorScript('check', n, v), 3);
}
