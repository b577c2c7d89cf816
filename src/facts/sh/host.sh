# shellcheck shell=sh
# Facts about the host itself (hostname, OS, tools). Follows src/node/sh/preamble.sh; variables
# FACTS_FORMAT (the section format's version), RUNTIME_COMMANDS (the commands runtimes ask about), SHOW_UNITS
# and SHOW_PROPERTIES (the systemd units kubelet's and the runtimes' facts read, and their properties: read
# here in one `systemctl show`, answered by `unit_show`).
# Never fails and never hangs: anything that may block runs under `t`.
section begin "$FACTS_FORMAT"
# read with the shell's own `read` where Linux gives them as files: a process each costs more than the reading
section hostname
if ! { IFS= read -r _h < /proc/sys/kernel/hostname; } 2>/dev/null || [ -z "$_h" ]; then uname -n 2>/dev/null
else printf '%s\n' "$_h"
fi
section os-release
for _f in /etc/os-release /usr/lib/os-release; do
  if [ -f "$_f" ] && [ -r "$_f" ]; then
    while IFS= read -r _l || [ -n "$_l" ]; do printf '%s\n' "$_l"; done < "$_f"
    break
  fi
done
section commands
# shellcheck disable=SC2086 # RUNTIME_COMMANDS is a list of command names
for c in update-ca-certificates update-ca-trust systemctl systemd-run flock timeout $RUNTIME_COMMANDS; do
  printf '%s=' "$c"
  command -v "$c" 2>/dev/null || echo
done
units_read
