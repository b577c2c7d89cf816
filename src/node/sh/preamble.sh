# shellcheck shell=sh
# dockhand: the start of every script run on a node (POSIX sh, run as root).
# Output protocol: a line `@@dockhand:NAME ARG@@`, always after a newline, opens section NAME (src/formats/sections.ts).
# shellcheck disable=SC2317 # helpers for the scripts that follow; not every script calls each
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 022
# dockhand's own directory on the node: transactions (journal, backups, outcome) and the node lock
# shellcheck disable=SC2034 # used by the scripts that follow
STATE=/var/lib/dockhand
section() { printf '\n@@dockhand:%s@@\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }
# t CMD...: CMD with stdin closed, under `timeout 10` where there is one
t() { if has timeout; then timeout 10 "$@" </dev/null; else "$@" </dev/null; fi; }
