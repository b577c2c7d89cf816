#!/bin/sh
# Turns a lab base image (Debian 12 or 13) into a cluster node: systemd as PID 1, sshd, sudo, and the
# container runtime the base has (dockerd, containerd). Runs once at image build time (docker build RUN),
# never on a running node.
set -eux
# the public roots a lean node keeps (ACCVRAIZ1 is the one the trust tests toggle)
LEAN_ROOTS='ACCVRAIZ1.crt ISRG_Root_X1.crt DigiCert_Global_Root_G2.crt'

# --- systemd in a container: mask what makes no sense here --------------------------------------
systemctl mask \
  getty.target getty@tty1.service console-getty.service serial-getty@.service \
  systemd-firstboot.service systemd-udevd.service systemd-udev-trigger.service \
  systemd-pstore.service systemd-remount-fs.service sys-kernel-config.mount sys-kernel-debug.mount \
  sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
  e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer \
  dpkg-db-backup.timer fstrim.timer systemd-tmpfiles-clean.timer systemd-modules-load.service \
  docker-registry.service
# every node gets its own machine-id at boot (empty file: systemd generates one)
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id

# --- no DNS: names resolve through /etc/hosts only ------------------------------------------------
# Docker bind-mounts /etc/resolv.conf at start (so it is rewritten in place, never renamed onto).
# Nothing listens on 127.0.0.1:53 in a node, so a lookup fails at once instead of waiting for
# docker's embedded DNS, and no query ever leaves the lab.
cat > /etc/systemd/system/lab-no-dns.service <<'UNIT'
[Unit]
Description=Point the resolver at nothing: names resolve through /etc/hosts only (dockhand lab)
DefaultDependencies=no
Before=network-pre.target sysinit.target docker.service containerd.service ssh.service
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'printf "%%s\\n" "# dockhand lab: no DNS server; names resolve through /etc/hosts only" "nameserver 127.0.0.1" "options timeout:1 attempts:1" > /etc/resolv.conf'

[Install]
WantedBy=sysinit.target
UNIT
systemctl enable lab-no-dns.service

# --- sshd -----------------------------------------------------------------------------------------
# Host keys are never baked into the image: a oneshot unit creates them before sshd first starts.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate this node's SSH host keys (dockhand lab)
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/ssh-keygen -A

[Install]
RequiredBy=ssh.service
UNIT
mkdir -p /etc/systemd/system/ssh.service.wants /etc/systemd/system/multi-user.target.wants
systemctl enable ssh-hostkeys.service ssh.service
for unit in docker.service containerd.service; do
  if [ -e "/lib/systemd/system/$unit" ]; then systemctl enable "$unit"; fi
done
cat > /etc/ssh/sshd_config.d/dockhand-lab.conf <<'CONF'
PermitRootLogin prohibit-password
PubkeyAuthentication yes
UseDNS no
MaxStartups 200:30:400
MaxSessions 50
CONF
install -d -m 0700 /root/.ssh

# --- the unprivileged operator: key login, sudo with a password -----------------------------------
useradd --create-home --shell /bin/bash --user-group ops
usermod -p '*' ops   # no password until the lab sets one at start (key login still works)
install -d -m 0700 -o ops -g ops /home/ops/.ssh
printf 'ops ALL=(ALL:ALL) ALL\n' > /etc/sudoers.d/ops
chmod 0440 /etc/sudoers.d/ops
visudo -cf /etc/sudoers.d/ops

# --- the lean node (the test suite's labs) ----------------------------------------------------------
# A node is as a package install leaves it; a lab started lean (LabSpec.lean) runs lab-lean.sh as the
# container's command, which trims the node's files before it hands PID 1 to /sbin/init: no unit
# generators, dockerd without iptables, three public roots, one host key. Each cuts the CPU of something
# the suite runs hundreds of times (daemon-reload, a docker restart, update-ca-certificates); the bench's
# labs are not lean, so dockhand and its floor pay what a real node costs.
lean=/usr/local/lib/dockhand-lab/lean
install -d -m 0755 "$lean"
install -m 0755 /tmp/lab-build/lab-lean.sh /usr/local/lib/dockhand-lab/lab-lean.sh
if command -v update-ca-certificates >/dev/null; then
  # the trimmed trust store, made once here: lab-lean.sh puts it in place instead of a --fresh rebuild
  conf=/etc/ca-certificates.conf
  cp -a /etc/ssl/certs "$lean/certs.full" && cp -p "$conf" "$lean/conf.full"
  grep -v '^!\{0,1\}mozilla/' "$lean/conf.full" > "$conf"
  # shellcheck disable=SC2086 # a list of file names
  for crt in $LEAN_ROOTS; do
    test -f "/usr/share/ca-certificates/mozilla/$crt"
    printf 'mozilla/%s\n' "$crt" >> "$conf"
  done
  update-ca-certificates --fresh >/dev/null
  mv /etc/ssl/certs "$lean/certs" && cp -p "$conf" "$lean/ca-certificates.conf"
  mv "$lean/certs.full" /etc/ssl/certs && mv -f "$lean/conf.full" "$conf"
fi
# shellcheck disable=SC2086 # a list of file names
printf '%s\n' $LEAN_ROOTS > "$lean/roots"

# --- misc -----------------------------------------------------------------------------------------
printf 'dockhand lab node\n' > /etc/motd
if command -v dockerd >/dev/null; then mkdir -p /etc/docker; fi
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /tmp/* || true
