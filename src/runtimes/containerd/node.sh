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
  while read -r _kind _value; do
    case $_kind in
      cri)
        _cri=$(containerd_cri_status)
        [ "$_cri" = ok ] || echo "a serving CRI plugin (it is $_cri)" ;;
      no-proxy)
        _pid=$(pidof containerd 2>/dev/null | awk '{ print $1 }')
        tr '\0' '\n' < "/proc/${_pid:-0}/environ" 2>/dev/null | awk '
          { i = index($0, "="); e[substr($0, 1, i - 1)] = substr($0, i + 1) }
          END { print (e["NO_PROXY"] != "" ? e["NO_PROXY"] : e["no_proxy"]) }' | no_proxy_has "$_value" ||
          echo "NO_PROXY entry $_value" ;;
      config-path)
        if has crictl; then
          t crictl --runtime-endpoint "$CONTAINERD_ENDPOINT" info 2>/dev/null | grep -q "\"configPath\": *\"$_value\"" ||
            echo "CRI registry config_path $_value"
        fi ;;
    esac
  done
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
