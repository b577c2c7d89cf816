#!/bin/sh
# lab-lean.sh: trims a lab node for the test suite, then boots it. A lean lab (LabSpec.lean) starts its nodes
# with this script as the container's command: it changes files only, before systemd runs, and hands PID 1 to
# /sbin/init. Nodes of other labs boot /sbin/init directly and stay as a package install leaves them, so the
# bench's dockhand and its floor pay what a real node costs. Measured on a node's cgroup:
#   no unit generators          systemctl daemon-reload 0.36 s -> 0.12 s of CPU (and none run at boot)
#   dockerd without iptables    a docker restart 0.75 s -> 0.30 s (a lab node's containers need no NAT)
#   three public roots          update-ca-certificates 3.4 s -> 0.2 s
#   an ed25519 host key only    no RSA 3072 keygen at boot (about 0.3 s); the lab trusts the ed25519 key only
# The dockerd flags go into the unit's own ExecStart, not a drop-in or daemon.json: those are what dockhand
# manages and the tests reset, and what dockhand reads of them stays as on any node.
set -eu
lean=/usr/local/lib/dockhand-lab/lean

mkdir -p /etc/systemd/system-generators
for g in /lib/systemd/system-generators/* /usr/lib/systemd/system-generators/*; do
  if [ -e "$g" ]; then ln -sfn /dev/null "/etc/systemd/system-generators/${g##*/}"; fi
done

for unit in /lib/systemd/system/docker.service /etc/systemd/system/docker.service; do
  if [ -f "$unit" ] && ! grep -q -- '--iptables=false' "$unit"; then
    sed -i 's|^ExecStart=/usr/sbin/dockerd -H fd://|& --iptables=false --ip6tables=false|' "$unit"
  fi
done

if [ -d "$lean/certs" ] && command -v update-ca-certificates >/dev/null; then
  rm -rf /etc/ssl/certs
  cp -a "$lean/certs" /etc/ssl/certs
  cp -p "$lean/ca-certificates.conf" /etc/ca-certificates.conf
elif command -v update-ca-trust >/dev/null; then
  # the RHEL-family stand-in builds its bundle from every file in the Mozilla directory
  for crt in /usr/share/ca-certificates/mozilla/*.crt; do
    grep -qxF "${crt##*/}" "$lean/roots" || rm -f "$crt"
  done
  update-ca-trust extract
fi

# ssh-hostkeys.service makes keys only where there is no ed25519 key: this one is the node's only key
if [ ! -e /etc/ssh/ssh_host_ed25519_key ]; then
  ssh-keygen -q -t ed25519 -N '' -C "root@$(hostname)" -f /etc/ssh/ssh_host_ed25519_key
fi
printf '%s\n' '# dockhand lab, lean node: the one host key it has' 'HostKey /etc/ssh/ssh_host_ed25519_key' \
  > /etc/ssh/sshd_config.d/00-lab-lean.conf

date -u '+trimmed for the test suite at %Y-%m-%dT%H:%M:%SZ by /usr/local/lib/dockhand-lab/lab-lean.sh' > /etc/dockhand-lab-lean
exec /sbin/init
