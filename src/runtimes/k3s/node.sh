# shellcheck shell=sh
# shellcheck disable=SC2154,SC2034 # units_state, shown (read) and SHOW_UNITS, SHOW_PROPERTIES (set for units_read): the preamble's unit helpers (src/node/sh/preamble.sh)
# k3s and RKE2 on the node: which unit runs them, their containerd's CRI, and the functions the node
# transaction dispatches to (src/node/transaction/worker.sh). Definitions only; follows
# src/node/sh/preamble.sh (and, in the transaction, the worker's helpers: restart_unit, wait_active, ACTIVE_WAIT).

# the socket of the containerd k3s and RKE2 run (both use k3s's agent code)
K3S_SOCKET=/run/k3s/containerd/containerd.sock
# the units k3s's install.sh (server, agent) and RKE2's packages install
K3S_UNITS='k3s.service k3s-agent.service rke2-server.service rke2-agent.service'
# a k3s server starts its datastore and API server before it reports ready: give it longer than a daemon
# (unless the play sets start_timeout: the worker's START_WAIT)
K3S_ACTIVE_WAIT=300

# k3s_unit: the unit k3s or RKE2 runs under here: the active one, else the first one installed
# (from the facts' one `systemctl show` where there is one, else from one of its own)
k3s_unit() {
  has systemctl || return 1
  if [ "$units_state" != ok ]; then
    SHOW_UNITS=$K3S_UNITS
    SHOW_PROPERTIES='-p Id -p LoadState -p ActiveState'
    units_read
  fi
  _k3s_first=
  for _k3s_u in $K3S_UNITS; do
    unit_show "$_k3s_u" Id LoadState ActiveState
    case "$NL$shown$NL" in *"${NL}LoadState=loaded$NL"*) ;; *) continue ;; esac
    case "$NL$shown" in *"${NL}Id="*) ;; *) continue ;; esac
    _k3s_id=${NL}$shown
    _k3s_id=${_k3s_id#*"${NL}Id="}
    _k3s_id=${_k3s_id%%"$NL"*}
    case "$NL$shown$NL" in *"${NL}ActiveState=active$NL"*) printf '%s\n' "$_k3s_id"; return 0 ;; esac
    [ -n "$_k3s_first" ] || _k3s_first=$_k3s_id
  done
  [ -n "$_k3s_first" ] || return 1
  printf '%s\n' "$_k3s_first"
}

# k3s_arg NAMES: the last value given on stdin's words to one of NAMES (`--data-dir|-d`), as `--x=V` or `--x V`
k3s_arg() {
  awk -v names="$1" 'BEGIN { n = split(names, want, "|") }
    { for (i = 1; i <= NF; i++) for (j = 1; j <= n; j++) {
        if ($i == want[j] && i < NF) v = $(i + 1)
        else if (index($i, want[j] "=") == 1) v = substr($i, length(want[j]) + 2)
      } }
    END { if (v != "") print v }'
}

# k3s_conf KEY FILE...: the last value of a top-level `KEY:` in the config files (later files win;
# quotes and a trailing comment dropped)
k3s_conf() {
  _key=$1
  shift
  [ "$#" -gt 0 ] || return 0
  sed -n "s/^$_key:[[:space:]]*[\"']\{0,1\}\([^\"'#[:space:]]*\).*/\1/p" "$@" 2>/dev/null | tail -n 1
}

# k3s_data_dir UNIT: where the distribution of UNIT keeps its state (the default data-dir)
k3s_data_dir() {
  case $1 in rke2*) echo /var/lib/rancher/rke2 ;; *) echo /var/lib/rancher/k3s ;; esac
}

# k3s_ctr ARGS: ctr against k3s's containerd: k3s's own, RKE2's bundled one, or the node's
k3s_ctr() {
  if has k3s; then t k3s ctr --address "$K3S_SOCKET" "$@"
  elif [ -x /var/lib/rancher/rke2/bin/ctr ]; then t /var/lib/rancher/rke2/bin/ctr --address "$K3S_SOCKET" "$@"
  elif has ctr; then t ctr --address "$K3S_SOCKET" "$@"
  else return 127
  fi
}

# k3s_cri_status: ok, error, absent (no CRI plugin answers), or unknown (no ctr to ask)
k3s_cri_status() {
  _plugins=$(k3s_ctr plugins ls 2>/dev/null)
  case $? in 127) echo unknown; return ;; esac
  printf '%s\n' "$_plugins" | awk '
    $1 == "io.containerd.grpc.v1" && $2 == "cri" { s = $NF }
    END { print (s == "" ? "absent" : s) }'
}

# k3s_wait_cri: k3s's containerd serves its CRI within 60 s (nothing to wait for without a ctr)
k3s_wait_cri() {
  _waited=0
  while :; do
    case $(k3s_cri_status) in ok|unknown) return 0 ;; esac
    _waited=$((_waited + 1)); [ "$_waited" -ge 120 ] && return 1; sleep 0.5
  done
}

# k3s_rendered DIR: the hosts.toml k3s rendered into DIR (`host:port`, or containerd's `host_port_` form)
k3s_rendered() {
  for _f in "$1/hosts.toml" "$(printf '%s' "$1" | sed 's/:\([0-9]*\)$/_\1_/')/hosts.toml"; do
    if [ -f "$_f" ]; then printf '%s\n' "$_f"; return 0; fi
  done
  return 1
}

# k3s_validate FILE: nothing on the node checks a registries.yaml (dockhand parsed the new one before sending it)
k3s_validate() {
  return 0
}

# k3s_handler ACTION: restart, or wait (for a restart cut off by a dead worker), on the unit this node
# runs; on failure the reason on stdout, systemctl's own words on stderr (the transaction's log)
k3s_handler() {
  _unit=$(k3s_unit) || { echo 'no k3s or RKE2 unit on this node'; return 1; }
  case $1 in
    restart)
      _wait=$ACTIVE_WAIT
      ACTIVE_WAIT=${START_WAIT:-$K3S_ACTIVE_WAIT}
      restart_unit "$_unit"
      _rc=$?
      ACTIVE_WAIT=$_wait
      case $_rc in
        0) ;;
        1) echo "$_unit did not start with the new registries.yaml"; return 1 ;;
        *) echo "$_unit was not active ${START_WAIT:-$K3S_ACTIVE_WAIT} s after its restart (its start hangs)"; return 1 ;;
      esac
      k3s_wait_cri || { echo "the containerd of $_unit did not serve its CRI after the restart ($(k3s_cri_status))"; return 1; } ;;
    wait)
      _wait=$ACTIVE_WAIT
      ACTIVE_WAIT=${START_WAIT:-$K3S_ACTIVE_WAIT}
      wait_active "$_unit"
      _rc=$?
      ACTIVE_WAIT=$_wait
      { [ "$_rc" -eq 0 ] && k3s_wait_cri; } || { echo "$_unit or its containerd is not up"; return 1; } ;;
    *) echo "k3s has no $1"; return 1 ;;
  esac
}

# k3s_lacking: reads the expectations (KIND [VALUE] a line) on stdin; prints what the running k3s lacks,
# one a line, each once. `mentions DIR=TEXT`: the hosts.toml k3s rendered into DIR holds TEXT; `gone
# DIR`: k3s rendered nothing there (any more)
k3s_lacking() {
  k3s_lacking_each | awk '!seen[$0]++'
}

k3s_lacking_each() {
  while read -r _kind _value; do
    case $_kind in
      active)
        _unit=$(k3s_unit) && systemctl is-active --quiet "$_unit" || echo "a running ${_unit:-k3s unit}" ;;
      cri)
        # not asked through the socket of a k3s that is not running (ctr waits there until its timeout)
        if ! { _unit=$(k3s_unit) && systemctl is-active --quiet "$_unit"; }; then echo "a serving CRI (${_unit:-k3s} is not running)"; continue; fi
        _cri=$(k3s_cri_status)
        case $_cri in ok|unknown) ;; *) echo "a serving CRI (it is $_cri)" ;; esac ;;
      mentions)
        _dir=${_value%%=*}
        _text=${_value#*=}
        if _file=$(k3s_rendered "$_dir"); then
          grep -qF -- "$_text" "$_file" || echo "$_text for ${_dir##*/}"
        else
          echo "a rendered hosts.toml for ${_dir##*/}"
        fi ;;
      gone)
        if k3s_rendered "$_value" >/dev/null; then echo "no rendered hosts.toml for ${_value##*/}"; fi ;;
    esac
  done
}

# k3s_report: how k3s is after the transaction (for the outcome)
k3s_report() {
  _unit=$(k3s_unit) || { echo 'no unit'; return 0; }
  if systemctl is-active "$_unit" 2>/dev/null; then printf 'unit %s\ncri %s\n' "$_unit" "$(k3s_cri_status)"
  else printf 'unit %s\ncri (not asked: %s is not running)\n' "$_unit" "$_unit"
  fi
}

# k3s_journal: the end of the unit's journal and of its containerd's log, for a rollback's report
k3s_journal() {
  _unit=$(k3s_unit) || return 0
  journalctl -u "$_unit" -n 20 --no-pager -o cat 2>&1 | tail -n 20
  _log=$(k3s_data_dir "$_unit")/agent/containerd/containerd.log
  if [ -f "$_log" ]; then tail -n 10 -- "$_log"; fi
}
