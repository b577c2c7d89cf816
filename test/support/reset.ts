/** Put lab nodes back to fresh: nothing of dockhand's on them, each runtime running on the configuration the lab gave it. */
import { nodeExec, type LabNode } from '../lab/lab.ts';
import { VARIANTS } from '../lab/variants.ts';

// The trust store is rebuilt (and, on a Docker node, dockerd restarted: Go keeps the system roots it
// loaded) only when something of dockhand's or a test's was in it: a rebuild costs seconds of CPU per node.
const COMMON = `
set -u
kept() { [ -d "$1" ] || { echo "$1 is missing: the lab keeps it when the node comes up (test/lab/node-scripts/keep-as-made.sh); a lab started before it did cannot be reset: npm run lab:down" >&2; exit 3; }; }
kept /root/trust-store.lab
sed '/^# BEGIN dockhand/,/^# END dockhand/d; /^# dockhand replaced: /d; /# dockhand: the other names of the line above$/d' /etc/hosts > /tmp/hosts.fresh && cat /tmp/hosts.fresh > /etc/hosts
trust=no
# (a link of dockhand's name in /etc/ssl/certs counts too, its anchor gone or not: a store a killed
# transaction left behind would otherwise survive the reset and spare the next test's refresh its work)
for f in /usr/local/share/ca-certificates/dockhand /etc/pki/ca-trust/source/anchors/dockhand-* /etc/ssl/certs/dockhand-* /etc/ca-certificates/update.d/zz-* /usr/local/sbin/update-ca-certificates /usr/local/sbin/openssl; do
  if [ -e "$f" ] || [ -L "$f" ]; then trust=yes; fi
done
rm -rf /usr/local/share/ca-certificates/dockhand /etc/pki/ca-trust/source/anchors/dockhand-* /var/lib/dockhand
rm -f /etc/ca-certificates/update.d/zz-* /usr/local/sbin/update-ca-certificates /usr/local/sbin/openssl
# the store the lab built (/etc/ssl/certs, or RHEL's extracted bundles), kept aside when the node came up, is
# put back: the family's tool rebuilding it costs seconds of CPU per node, a copy does not
if command -v update-ca-certificates >/dev/null; then store=/etc/ssl/certs; else store=/etc/pki/ca-trust/extracted; fi
if [ "$trust" = yes ]; then rm -rf "$store" && cp -a /root/trust-store.lab "$store"; fi
`;

// dockerd is restarted only when it may run on something else than the lab's configuration: a drop-in or
// daemon.json was there, the trust store changed, or it is not running
const DOCKER = `${COMMON}
restart=$trust
for f in /etc/docker/daemon.json /etc/systemd/system/docker.service.d/*.conf; do
  if [ -e "$f" ] || [ -L "$f" ]; then restart=yes; fi
done
systemctl is-active --quiet docker.service || restart=yes
rm -rf /etc/docker/certs.d
rm -f /etc/docker/daemon.json /etc/systemd/system/docker.service.d/*.conf
# the docker command costs ~0.1 s of CPU a call: it runs only for what is there (a test's container, an image)
grep -qs '"Name":"/idle"' /var/lib/docker/containers/*/config.v2.json && docker rm -f idle >/dev/null 2>&1
grep -qs 'lab\.local' /root/.docker/config.json && docker logout harbor.lab.local >/dev/null 2>&1
set -- /var/lib/docker/image/*/imagedb/content/sha256/*
[ -e "$1" ] && docker image rm -f $(docker image ls -q) >/dev/null 2>&1
if [ "$restart" = yes ]; then
  systemctl daemon-reload
  systemctl reset-failed docker.service
  systemctl restart docker.service
fi
n=0; until systemctl is-active --quiet docker.service; do n=$((n+1)); [ $n -ge 60 ] && exit 1; sleep 0.5; done
`;
// /etc/containerd as the lab made it, kept aside when the node came up, is put back, and containerd restarted
// only when its config.toml or a drop-in of its unit changed (or it is not running)
const CONTAINERD = `${COMMON}
kept /root/containerd.lab
changed=no
# a drop-in of a test's or dockhand's (its proxy settings): gone, and containerd restarted without it
for f in /etc/systemd/system/containerd.service.d/*.conf; do [ -e "$f" ] && changed=yes; done
rm -f /etc/systemd/system/containerd.service.d/*.conf
[ "$changed" = yes ] && systemctl daemon-reload
cmp -s /root/containerd.lab/config.toml /etc/containerd/config.toml || changed=yes
rm -rf /etc/containerd && cp -a /root/containerd.lab /etc/containerd
for image in $(ctr -n k8s.io images ls -q 2>/dev/null | grep -E 'lab\\.local'); do ctr -n k8s.io images rm "$image" >/dev/null 2>&1; done
if [ "$changed" = yes ] || ! systemctl is-active --quiet containerd.service; then
  systemctl reset-failed containerd.service
  systemctl restart containerd.service
fi
n=0; until systemctl is-active --quiet containerd.service && ctr plugins ls 2>/dev/null | grep -q ' cri .* ok'; do n=$((n+1)); [ $n -ge 60 ] && exit 1; sleep 0.5; done
`;

// /etc/containers as the lab made it, kept aside when the node came up, is put back; a stand-in CRI-O unit a
// test installed goes, and so do pulled images and podman's logins
const CONTAINERS = `${COMMON}
kept /root/containers.lab
rm -rf /etc/containers && cp -a /root/containers.lab /etc/containers
rm -rf /etc/docker
if [ -f /etc/systemd/system/crio.service ]; then
  systemctl disable --now crio.service >/dev/null 2>&1
  rm -rf /etc/systemd/system/crio.service /etc/systemd/system/crio.service.d /usr/local/bin/crio /run/crio-stand-in.log
  systemctl daemon-reload
  systemctl reset-failed crio.service 2>/dev/null
fi
rm -rf /var/lib/kubelet /run/crio /var/run/crio
grep -qs '"id"' /var/lib/containers/storage/*-images/images.json && podman rmi --all --force >/dev/null 2>&1
rm -f /run/containers/0/auth.json
true
`;


// the k3s stand-in: no registries.yaml, no CA of dockhand's, no lab images; k3s.service running
const K3S = `${COMMON}
rm -rf /etc/rancher/k3s/registries.yaml /etc/rancher/k3s/dockhand /var/lib/rancher/k3s/agent/etc/containerd/certs.d/*
export CONTAINERD_ADDRESS=/run/k3s/containerd/containerd.sock
for image in $(ctr -n k8s.io images ls -q 2>/dev/null | grep -E 'lab\\.local'); do ctr -n k8s.io images rm "$image" >/dev/null 2>&1; done
if ! systemctl is-active --quiet k3s.service; then systemctl reset-failed k3s.service; systemctl restart k3s.service; fi
n=0; until systemctl is-active --quiet k3s.service && ctr plugins ls 2>/dev/null | grep -q ' cri .* ok'; do n=$((n+1)); [ $n -ge 60 ] && exit 1; sleep 0.5; done
`;

const RESET = { docker: DOCKER, containerd: CONTAINERD, containers: CONTAINERS, k3s: K3S } as const;

export async function resetNodes(nodes: readonly LabNode[]): Promise<void> {
  const results = await Promise.all(nodes.map((node) => nodeExec(node, ['sh', '-c', RESET[VARIANTS[node.variant].runtime]])));
  results.forEach((result, i) => {
    if (result.exitCode !== 0) throw new Error(`resetting ${nodes[i]!.name} failed: ${result.output}`);
  });
}
