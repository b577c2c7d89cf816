#!/bin/sh
# A k3s stand-in on the containerd node image (no k3s or RKE2 binary can be had here): a unit named
# k3s.service, as k3s's install.sh names a server's, that runs Debian's containerd on the socket and paths
# k3s gives its own (/run/k3s/containerd/containerd.sock; config_path
# /var/lib/rancher/k3s/agent/etc/containerd/certs.d) with KillMode=process, as install.sh writes the unit.
# It is not k3s: it reads no /etc/rancher/k3s/registries.yaml and renders nothing into certs.d, it runs
# no kubelet and no API server, and it has no `k3s` command.
set -eux
systemctl disable containerd.service
mkdir -p /etc/k3s-standin /etc/rancher/k3s
cp /tmp/lab-build/k3s-standin-config.toml /etc/k3s-standin/containerd.toml
cp /tmp/lab-build/k3s-standin.service /etc/systemd/system/k3s.service
systemctl enable k3s.service
if command -v k3s || command -v rke2; then echo "a k3s or rke2 command exists" >&2; exit 1; fi
