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
# no_proxy_has ENTRY: the NO_PROXY value on stdin holds ENTRY (entries trimmed, compared case-insensitively)
no_proxy_has() { tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -qixF -- "$1"; }
# proxies_of NAME: from an environment (KEY=VALUE lines) on stdin, `NAME https URL` and `NAME http URL` for
# the proxies a Go program takes from it (the upper-case variable first, an empty one not at all)
proxies_of() {
  awk -v n="$1" '
    { i = index($0, "="); if (i > 1 && substr($0, i + 1) != "") e[substr($0, 1, i - 1)] = substr($0, i + 1) }
    END {
      h = ("HTTPS_PROXY" in e) ? e["HTTPS_PROXY"] : e["https_proxy"]; if (h != "") print n, "https", h
      h = ("HTTP_PROXY" in e) ? e["HTTP_PROXY"] : e["http_proxy"]; if (h != "") print n, "http", h
    }'
}
