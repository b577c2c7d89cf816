#!/bin/sh
# Kubespray-style containerd node, on the containerd node image: the files Kubespray's containerd role
# (v2.27, the last with a version 2 config.toml) writes, rendered with its defaults:
#   config.toml.j2 -> /etc/containerd/config.toml (config_path = "/etc/containerd/certs.d", mode 0640)
#   hosts.toml.j2  -> /etc/containerd/certs.d/<prefix>/hosts.toml for containerd_registries_mirrors:
#                     docker.io (the role's default) and quay.io (a mirror of this lab's own that
#                     leads nowhere: it must survive any other tool's changes)
#   `ctr oci spec` + containerd_default_base_runtime_spec_patch -> /etc/containerd/cri-base.json
# Kubespray installs runc as /usr/local/bin/runc (the config's binaryName); here it is Debian's.
set -eux
b=/tmp/lab-build
install -m 0640 "$b/kubespray-config.toml" /etc/containerd/config.toml
install -d -m 0755 /etc/containerd/certs.d/docker.io /etc/containerd/certs.d/quay.io
install -m 0640 "$b/kubespray-hosts-docker.io.toml" /etc/containerd/certs.d/docker.io/hosts.toml
install -m 0640 "$b/kubespray-hosts-quay.io.toml" /etc/containerd/certs.d/quay.io/hosts.toml
ctr oci spec | python3 -c '
import json, sys
spec = json.load(sys.stdin)
spec["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 65535, "soft": 65535}]
sys.stdout.write(json.dumps(spec))
' > /etc/containerd/cri-base.json
chmod 0644 /etc/containerd/cri-base.json
ln -sfn /usr/sbin/runc /usr/local/bin/runc
grep -q '^      config_path = "/etc/containerd/certs.d"$' /etc/containerd/config.toml
