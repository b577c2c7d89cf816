# shellcheck shell=sh
# containerd on the node: the state of its CRI plugin, and the functions the node transaction dispatches
# to (src/node/transaction/worker.sh). Definitions only; follows src/node/sh/preamble.sh (and, in the
# transaction, the worker's helpers: restart_unit, wait_active, ACTIVE_WAIT).

CONTAINERD_ENDPOINT=unix:///run/containerd/containerd.sock

# containerd_cri_status: ok, error, or absent: the state of containerd's CRI plugin as containerd reports it
containerd_cri_status() {
  has ctr || { echo absent; return; }
  t ctr plugins ls 2>/dev/null | awk '
    $1 == "io.containerd.grpc.v1" && $2 == "cri" { s = $NF }
    END { print (s == "" ? "absent" : s) }'
}

# What the last state read asked a running containerd (`containerd --version`, its CRI plugin's state,
# `crictl info`: three Go programs, about 150 ms of CPU on every scheduled check), kept for the next read:
# the answers change only when the process is another (a restart: a new PID or start time) or a binary
# asked is replaced (its inode, change time or size). Only a serving CRI's answers are kept. Lines: `key KEY`,
# `version LINE`, `cri STATUS`, `crictl LINE` (crictl info's output), then `end`.
CONTAINERD_KEPT=$STATE/containerd-probes

# containerd_key PID [CONFIG]: sets `ckey`, what a kept answer must match: the PID, its start time (clock
# ticks since boot, field 22 of /proc/PID/stat, read without a process: also `cstart`) and the inode, change
# time, size and modification time of each of containerd, ctr and crictl the PATH has. The same `stat`
# gives CONFIG's modification time, where it is a file, as `cconfig_time` (not part of the key). Empty where
# the process is gone.
containerd_key() {
  ckey=
  cstart=
  cconfig_time=
  _ks=
  { IFS= read -r _ks < "/proc/$1/stat"; } 2>/dev/null || return 0
  # the fields after the command name, which sits in parentheses and may hold spaces: state is field 3
  _ks=${_ks##*) }
  _kp=$1
  _kf=${2:-}
  set -f
  # shellcheck disable=SC2086 # the fields, split
  set -- $_ks
  set +f
  [ "$#" -ge 20 ] || return 0
  shift 19
  _kb=
  for _kc in containerd ctr crictl; do
    _kw=$(command -v "$_kc" 2>/dev/null) && _kb="$_kb $_kw"
  done
  [ -n "$_kf" ] && [ -f "$_kf" ] || _kf=
  # shellcheck disable=SC2086 # the binaries' paths, split
  _kb=$(stat -L -c '%i.%Z.%s.%Y' $_kb ${_kf:+"$_kf"} 2>/dev/null) || return 0
  if [ -n "$_kf" ]; then
    # shellcheck disable=SC2034 # read by src/runtimes/containerd/facts.sh
    cconfig_time=${_kb##*.}
    case $_kb in *"$NL"*) _kb=${_kb%"$NL"*} ;; *) _kb= ;; esac
  fi
  # shellcheck disable=SC2034 # read by src/runtimes/containerd/facts.sh
  cstart=$1
  set -f
  # shellcheck disable=SC2086 # stat's lines, joined by spaces
  set -- "$1" $_kb
  set +f
  ckey="$_kp@$*"
}

# containerd_newer FILE_TIME START NOW UPTIME: `yes` where a file last modified at FILE_TIME (whole seconds,
# as stat gives it) was written after a process that started START clock ticks after boot (USER_HZ, 100
# on Linux), NOW being `date +%s.%N` and UPTIME /proc/uptime's first field; `no` where it was not; nothing
# where a value is not a number. Counted in hundredths: a file written in the second the process started
# (a transaction writes config.toml, then restarts containerd at once) is not taken for a newer one, as
# whole seconds on both sides would; where `date` knows no %N, a file must be a second newer.
containerd_newer() {
  _nf=$1 _ns=$2 _nn=$3 _nu=$4
  _nnd=${_nn#*.}; _nn=${_nn%%.*}
  _nud=${_nu#*.}; _nu=${_nu%%.*}
  for _nv in "$_nf" "$_ns" "$_nn" "$_nu"; do
    case $_nv in '' | *[!0-9]*) return 0 ;; esac
  done
  case $_nud in [0-9][0-9]*) _nud=${_nud%"${_nud#??}"} ;; *) _nud=00 ;; esac
  _slack=2
  case $_nnd in [0-9][0-9]*) _nnd=${_nnd%"${_nnd#??}"} ;; *) _nnd=00; _slack=100 ;; esac
  # the start, in hundredths of a second since the epoch: now - uptime + START (leading zeros kept off
  # the arithmetic: 08 is no octal number here)
  _start=$(( _nn * 100 + ${_nnd#0} - (_nu * 100 + ${_nud#0}) + _ns ))
  if [ $(( _nf * 100 )) -gt $(( _start + _slack )) ]; then echo yes; else echo no; fi
}

# containerd_kept: sets `cversion`, `ccri` and `ccrictl` from what containerd_keep kept under `ckey`
# (containerd_key first), where the record is complete; fails otherwise
containerd_kept() {
  kept_read "$CONTAINERD_KEPT" "$ckey" version cri crictl || return 1
  # shellcheck disable=SC2154 # set by kept_read (src/node/sh/preamble.sh)
  cversion=$kept_version ccri=$kept_cri ccrictl=$kept_crictl
  [ "$ccri" = ok ]
}

# containerd_keep: keeps `cversion`, `ccri` and `ccrictl` under `ckey` for the next read, where the CRI
# serves (src/node/sh/preamble.sh: kept_write)
containerd_keep() {
  [ -n "$ckey" ] && [ "$ccri" = ok ] && [ -n "$cversion" ] || return 0
  kept_write "$CONTAINERD_KEPT" "$ckey" "version=$cversion" "cri=$ccri" "crictl=$ccrictl"
}

# containerd_wait_cri: the CRI plugin serves within 20 s
containerd_wait_cri() {
  _waited=0
  while [ "$(containerd_cri_status)" != ok ]; do
    _waited=$((_waited + 1)); [ "$_waited" -ge 40 ] && return 1; sleep 0.5
  done
}

# containerd_validate FILE: containerd's own reading of a new config file; what it says on stdout when it refuses
containerd_validate() {
  _said=$(t containerd --config "$1" config dump 2>&1 >/dev/null) && return 0
  printf 'containerd config dump says: %s\n' "$_said"
  return 1
}

# containerd_handler ACTION: restart, or wait (for a restart cut off by a dead worker); on failure the
# reason on stdout, systemctl's own words on stderr (the transaction's log)
containerd_handler() {
  # what the old process said is not what the new one will say
  rm -f -- "$CONTAINERD_KEPT"
  case $1 in
    restart)
      restart_unit containerd.service
      case $? in
        0) ;;
        1) echo 'containerd did not start with the new configuration'; return 1 ;;
        *) echo "containerd was not active $ACTIVE_WAIT s after its restart (its start hangs)"; return 1 ;;
      esac
      containerd_wait_cri || { echo "containerd's CRI plugin did not come up with the new configuration ($(containerd_cri_status))"; return 1; } ;;
    wait)
      { wait_active containerd.service && containerd_wait_cri; } || { echo 'containerd or its CRI plugin is not up'; return 1; } ;;
    *) echo "containerd has no $1"; return 1 ;;
  esac
}

# containerd_lacking: reads the expectations (KIND [VALUE] a line) on stdin; prints what the running
# containerd lacks, one a line
containerd_lacking() {
  # a containerd that is not running is not asked through its socket: `ctr` waits there until its timeout,
  # and the transaction's verification asks again and again
  if has systemctl && ! systemctl is-active --quiet containerd.service; then
    cat > /dev/null
    echo 'containerd is not running'
    return 0
  fi
  ccri=
  ccrictl=
  _crictl_asked=no
  _lacks=no
  while read -r _kind _value; do
    case $_kind in
      cri)
        [ -n "$ccri" ] || ccri=$(containerd_cri_status)
        [ "$ccri" = ok ] || { echo "a serving CRI plugin (it is $ccri)"; _lacks=yes; } ;;
      no-proxy)
        _pid=$(pidof containerd 2>/dev/null | awk '{ print $1 }')
        tr '\0' '\n' < "/proc/${_pid:-0}/environ" 2>/dev/null | awk '
          { i = index($0, "="); e[substr($0, 1, i - 1)] = substr($0, i + 1) }
          END { print (e["NO_PROXY"] != "" ? e["NO_PROXY"] : e["no_proxy"]) }' | no_proxy_has "$_value" ||
          { echo "NO_PROXY entry $_value"; _lacks=yes; } ;;
      config-path)
        if has crictl; then
          if [ "$_crictl_asked" = no ]; then ccrictl=$(t crictl --runtime-endpoint "$CONTAINERD_ENDPOINT" info 2>/dev/null); _crictl_asked=yes; fi
          case $ccrictl in
            *"\"configPath\": \"$_value\""* | *"\"configPath\":\"$_value\""*) ;;
            *) echo "CRI registry config_path $_value"; _lacks=yes ;;
          esac
        fi ;;
    esac
  done
  # the answers of the containerd just verified, kept for the next state read as a fresh read would have
  # asked them (src/runtimes/containerd/facts.sh): the first scheduled check after an apply asks nothing
  if [ "$_lacks" = no ] && [ "$ccri" = ok ] && has pidof; then
    if [ "$_crictl_asked" = no ] && has crictl; then ccrictl=$(t crictl --runtime-endpoint "$CONTAINERD_ENDPOINT" info 2>/dev/null); fi
    _first_pid() { _kp1=${1:-}; }
    # shellcheck disable=SC2046 # pidof's PIDs, split; the first is kept
    _first_pid $(pidof containerd 2>/dev/null)
    if [ -n "$_kp1" ]; then
      containerd_key "$_kp1"
      cversion=$(t containerd --version 2>&1)
      containerd_keep
    fi
  fi
  return 0
}

# containerd_report: how containerd is after the transaction (for the outcome)
containerd_report() {
  if systemctl is-active containerd.service 2>/dev/null; then printf 'cri %s\n' "$(containerd_cri_status)"
  else echo 'cri (not asked: containerd is not running)'
  fi
}

# containerd_journal: the end of containerd's journal, for a rollback's report
containerd_journal() {
  journalctl -u containerd.service -n 25 --no-pager -o cat 2>&1 | tail -n 25
}
