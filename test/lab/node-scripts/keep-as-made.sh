#!/bin/sh
# Keeps aside what a lab node is as the lab made it, once: its trust store and its runtime's configuration.
# The lab runs it on every node the moment the node is ready, so the copies are the lab's state and never a
# state a test left; test/support/reset.ts puts them back. A copy already made is never replaced.
# $1: the node's runtime (docker, containerd, containers, k3s)
set -eu
if command -v update-ca-certificates >/dev/null; then store=/etc/ssl/certs; else store=/etc/pki/ca-trust/extracted; fi
[ -d /root/trust-store.lab ] || cp -a "$store" /root/trust-store.lab
case "$1" in
  containerd) [ -d /root/containerd.lab ] || cp -a /etc/containerd /root/containerd.lab ;;
  containers) [ -d /root/containers.lab ] || cp -a /etc/containers /root/containers.lab ;;
  docker | k3s) ;;
  *) echo "keep-as-made: unknown runtime $1" >&2; exit 2 ;;
esac
