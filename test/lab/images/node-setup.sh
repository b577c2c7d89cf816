#!/bin/sh
# Turns a lab base image (Debian 12 or 13) into a cluster node: systemd as PID 1, sshd, sudo, and the
# container runtime the base has (dockerd, containerd). Runs once at image build time (docker build RUN),
# never on a running node.
set -eux

# --- systemd in a container: mask what makes no sense here --------------------------------------
systemctl mask \
  getty.target getty@tty1.service console-getty.service serial-getty@.service \
  systemd-firstboot.service systemd-udevd.service systemd-udev-trigger.service \
  systemd-pstore.service systemd-remount-fs.service sys-kernel-config.mount sys-kernel-debug.mount \
  sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
  e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer \
  dpkg-db-backup.timer fstrim.timer systemd-tmpfiles-clean.timer systemd-modules-load.service \
  docker-registry.service
# no unit generators: a container has no fstab, gettys, rc.local, SysV scripts or GPT partitions to
# find, and each `systemctl daemon-reload` ran all twelve (about 0.28 s of CPU of its 0.36 s)
mkdir -p /etc/systemd/system-generators
for g in /lib/systemd/system-generators/* /usr/lib/systemd/system-generators/*; do
  if [ -e "$g" ]; then ln -sfn /dev/null "/etc/systemd/system-generators/${g##*/}"; fi
done
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

# --- dockerd without iptables ----------------------------------------------------------------------
# A lab node's containers need no NAT, and dockerd's iptables set-up was two thirds of the CPU of each
# docker restart (about 0.5 s of 0.75 s). Put in the vendor unit's ExecStart, not in a drop-in or
# daemon.json: those are what dockhand manages and the tests reset.
if [ -e /lib/systemd/system/docker.service ]; then
  sed -i 's|^ExecStart=/usr/sbin/dockerd -H fd://|& --iptables=false --ip6tables=false|' /lib/systemd/system/docker.service
  grep -q -- '^ExecStart=/usr/sbin/dockerd -H fd:// --iptables=false --ip6tables=false' /lib/systemd/system/docker.service
fi

# --- a small trust store ----------------------------------------------------------------------------
# The lab reaches no public registry: three of Debian's public roots are kept (ACCVRAIZ1 is the one the
# trust tests toggle), the rest removed. update-ca-certificates costs about 0.7 s of CPU, not 3.4 s;
# a real node pays the larger cost, dockhand and a hand-written script alike.
keep=' ACCVRAIZ1.crt ISRG_Root_X1.crt DigiCert_Global_Root_G2.crt '
for crt in /usr/share/ca-certificates/mozilla/*.crt; do
  case "$keep" in *" ${crt##*/} "*) ;; *) rm -f "$crt" ;; esac
done
conf=/etc/ca-certificates.conf
grep -v '^!\{0,1\}mozilla/' "$conf" > "$conf.new" || true
for crt in /usr/share/ca-certificates/mozilla/*.crt; do printf 'mozilla/%s\n' "${crt##*/}" >> "$conf.new"; done
mv -f "$conf.new" "$conf"
test "$(grep -c '^mozilla/' "$conf")" -eq 3
update-ca-certificates --fresh

# --- misc -----------------------------------------------------------------------------------------
printf 'dockhand lab node\n' > /etc/motd
if command -v dockerd >/dev/null; then mkdir -p /etc/docker; fi
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /tmp/* || true
