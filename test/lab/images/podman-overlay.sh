#!/bin/sh
# A podman node: neither Docker nor containerd, Debian 12's podman (4.3.1) and skopeo (1.9.3) with
# their own /etc/containers (registries.conf with no entries, registries.conf.d/shortnames.conf).
# Runs once at image build time in a chroot of the containerd node's root, with the network (the
# packages come from Debian's mirror); never on a running node.
set -eux
export DEBIAN_FRONTEND=noninteractive
dpkg --purge containerd runc
apt-get update
apt-get install -y --no-install-recommends podman skopeo fuse-overlayfs uidmap
apt-get clean
rm -rf /var/lib/apt/lists/*
if command -v containerd || command -v dockerd; then echo "containerd or dockerd is still installed" >&2; exit 1; fi
podman --version
skopeo --version
test -f /etc/containers/registries.conf
if grep -q '^\[' /etc/containers/registries.conf; then echo "registries.conf already has entries" >&2; exit 1; fi
