/** Put lab nodes back to fresh: nothing of dockhand's on them, Docker running on its stock configuration. */
import { nodeExec, type LabNode } from '../lab/lab.ts';

const RESET = `
set -u
sed '/^# BEGIN dockhand/,/^# END dockhand/d; /^# dockhand replaced: /d' /etc/hosts > /tmp/hosts.fresh && cat /tmp/hosts.fresh > /etc/hosts
rm -rf /etc/docker/certs.d /usr/local/share/ca-certificates/dockhand /etc/pki/ca-trust/source/anchors/dockhand-* /var/lib/dockhand
rm -f /etc/docker/daemon.json /etc/systemd/system/docker.service.d/*.conf /etc/ca-certificates/update.d/zz-* /usr/local/sbin/update-ca-certificates
docker rm -f idle >/dev/null 2>&1
if command -v update-ca-certificates >/dev/null; then update-ca-certificates --fresh >/dev/null 2>&1; else update-ca-trust extract; fi
docker logout harbor.lab.local >/dev/null 2>&1
docker image rm -f $(docker image ls -q) >/dev/null 2>&1
systemctl daemon-reload
systemctl reset-failed docker.service
systemctl restart docker.service
n=0; until systemctl is-active --quiet docker.service; do n=$((n+1)); [ $n -ge 60 ] && exit 1; sleep 0.5; done
`;

export async function resetNodes(nodes: readonly LabNode[]): Promise<void> {
  const results = await Promise.all(nodes.map((node) => nodeExec(node, ['sh', '-c', RESET])));
  results.forEach((result, i) => {
    if (result.exitCode !== 0) throw new Error(`resetting ${nodes[i]!.name} failed: ${result.output}`);
  });
}
