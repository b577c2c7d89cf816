# shellcheck shell=sh
# Facts about the host itself (hostname, OS, tools). Follows src/node/sh/preamble.sh; variables
# FACTS_FORMAT (the section format's version), RUNTIME_COMMANDS (the commands runtimes ask about), SHOW_UNITS
# and SHOW_PROPERTIES (the systemd units kubelet's and the runtimes' facts read, and their properties: read
# here in one `systemctl show`, answered by `unit_show`).
# Never fails and never hangs: anything that may block runs under `t`.
section begin "$FACTS_FORMAT"
section hostname
uname -n 2>/dev/null
section os-release
if [ -f /etc/os-release ]; then cat /etc/os-release 2>/dev/null
elif [ -f /usr/lib/os-release ]; then cat /usr/lib/os-release 2>/dev/null
fi
section commands
# shellcheck disable=SC2086 # RUNTIME_COMMANDS is a list of command names
for c in update-ca-certificates update-ca-trust systemctl systemd-run flock timeout $RUNTIME_COMMANDS; do
  printf '%s=' "$c"
  command -v "$c" 2>/dev/null || echo
done
units_read
