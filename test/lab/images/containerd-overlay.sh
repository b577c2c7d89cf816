#!/bin/sh
# containerd node without Docker, on a node image (Debian 12 or 13): the distribution's containerd
# package with its own /etc/containerd/config.toml (version 2, CRI plugin on, no config_path line).
# Debian 12's node image has docker.io: it is purged and the containerd it brought is kept, as an
# admin who installed containerd on its own would have it.
set -eux
if dpkg -s docker.io >/dev/null 2>&1; then dpkg --purge docker.io; fi
apt-mark manual containerd runc
rm -rf /etc/docker
systemctl enable containerd.service
if command -v dockerd; then echo "dockerd is still installed" >&2; exit 1; fi
grep -qx 'version = 2' /etc/containerd/config.toml
grep -q '^  \[plugins."io.containerd.grpc.v1.cri"\]' /etc/containerd/config.toml
if grep -q 'config_path' /etc/containerd/config.toml; then echo "config.toml already sets config_path" >&2; exit 1; fi
