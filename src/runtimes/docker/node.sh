# shellcheck shell=sh
# Docker on the node: the one reader of what a running dockerd reports, and the functions the node
# transaction dispatches to (src/node/transaction/worker.sh). Definitions only; follows
# src/node/sh/preamble.sh (and, in the transaction, the worker's helpers: restart_unit, wait_active, ACTIVE_WAIT).

# docker_state: what the running dockerd reports, one item a line: `version V`, `errors N`,
# `live-restore true|false`, `containers-running N`, `http-proxy URL`, `https-proxy URL`, `no-proxy VALUE`
# (the proxy environment it runs with, credentials masked by dockerd), `insecure VALUE` (each insecure CIDR
# block and insecure registry), `mirror URL` (without its trailing slash); nothing when no dockerd answers.
docker_state() {
  # shellcheck disable=SC2016 # a Go template, not shell
  t docker info --format 'version {{.ServerVersion}}
errors {{len .ServerErrors}}
live-restore {{.LiveRestoreEnabled}}
containers-running {{.ContainersRunning}}
http-proxy {{.HTTPProxy}}
https-proxy {{.HTTPSProxy}}
no-proxy {{.NoProxy}}
{{range .RegistryConfig.InsecureRegistryCIDRs}}insecure {{json .}}
{{end}}{{range $k, $v := .RegistryConfig.IndexConfigs}}{{if not $v.Secure}}insecure {{$k}}
{{end}}{{end}}{{range .RegistryConfig.Mirrors}}mirror {{.}}
{{end}}' 2>/dev/null | sed 's|"||g; s|/*$||'
}

# What the last docker_probe saw, kept for the next state read: a running dockerd's answer changes only
# when it restarts (a new PID and start time) or reloads daemon.json (a newer file), so a read that finds
# the same daemon and no newer daemon.json takes it from here instead of asking `docker info` (~150 ms of
# CPU on every scheduled check). Lines: `key PIDS|STARTED|DAEMON_JSON`, `state LINE` (docker_state's),
# `proxy LINE` (`docker SCHEME URL`, the proxies it runs with), then `end`.
DOCKER_KEPT=$STATE/docker-state
DOCKER_JSON=/etc/docker/daemon.json

# docker_key PIDS STARTED: sets `dkey`, what a kept answer must match: dockerd's PIDs, its unit's
# ExecMainStartTimestamp and whether there is a daemon.json
docker_key() {
  # shellcheck disable=SC2086 # PIDs, split and joined by single spaces
  set -- $1 "|$2"
  dkey="$*"
  if [ -e "$DOCKER_JSON" ]; then dkey="$dkey|daemon.json"; else dkey="$dkey|-"; fi
}

# docker_probe PIDS: sets `dstate` (docker_state) and `dproxies` (the proxies the running dockerd uses: its
# environment, overridden by what docker info reports (daemon.json's proxies win) unless docker info
# masked a password in it); keeps them under `dkey` (docker_key first)
docker_probe() {
  dstate=$(docker_state)
  _denv=$(for _p in $1; do tr '\0' '\n' 2>/dev/null < "/proc/$_p/environ"; break; done)
  dproxies=$( { printf '%s\n' "$_denv"; printf '%s\n' "$dstate" | sed -n 's/^https-proxy \(..*\)/HTTPS_PROXY=\1/p; s/^http-proxy \(..*\)/HTTP_PROXY=\1/p' | grep -v xxxxx; } | proxies_of docker)
  [ -n "$dstate" ] || return 0
  kept_write "$DOCKER_KEPT" "$dkey" "state=$dstate" "proxy=$dproxies"
}

# docker_kept: sets `dstate` and `dproxies` from what docker_probe kept, where it was kept under `dkey`
# (docker_key first), is complete, and is newer than daemon.json; fails otherwise
docker_kept() {
  [ -f "$DOCKER_KEPT" ] || return 1
  # shellcheck disable=SC3013 # -nt: in dash, bash and busybox; where a test lacks it, the read is fresh
  if [ -e "$DOCKER_JSON" ] && ! [ "$DOCKER_KEPT" -nt "$DOCKER_JSON" ]; then return 1; fi
  kept_read "$DOCKER_KEPT" "$dkey" state proxy || return 1
  # shellcheck disable=SC2154 # set by kept_read (src/node/sh/preamble.sh)
  dstate=$kept_state dproxies=$kept_proxy
}

# docker_validate FILE: dockerd's own check of a new daemon.json; what it says on stdout when it refuses
docker_validate() {
  _said=$(dockerd --validate --config-file "$1" 2>&1) && return 0
  printf 'dockerd --validate says: %s\n' "$_said"
  return 1
}

# docker_handler ACTION: restart, reload, or wait (for a restart cut off by a dead worker); on failure
# the reason on stdout, systemctl's own words on stderr (the transaction's log)
docker_handler() {
  # what dockerd said before is not what it will say: a restore (cp -p) can give daemon.json back an older
  # time than the kept answer's, so the answer goes with any restart or reload
  rm -f -- "$DOCKER_KEPT"
  case $1 in
    restart)
      restart_unit docker.service
      case $? in
        0) ;;
        1) echo 'docker did not start with the new configuration'; return 1 ;;
        *) echo "docker was not active $ACTIVE_WAIT s after its restart (its start hangs)"; return 1 ;;
      esac ;;
    reload)
      timeout "$ACTIVE_WAIT" systemctl reload docker.service >&2 || { echo 'docker did not reload its configuration'; return 1; } ;;
    wait)
      wait_active docker.service || { echo 'docker is not active'; return 1; } ;;
  esac
}

# docker_lacking: reads the expectations (KIND [VALUE] a line) on stdin; prints what dockerd lacks, one a
# line (values compare as the controller wrote them: case-insensitive, mirrors without a trailing slash)
docker_lacking() {
  _state=
  while read -r _kind _value; do
    case $_kind in
      active) systemctl is-active --quiet docker.service || echo 'dockerd is not running' ;;
      insecure|mirror|live-restore|no-proxy)
        if [ -z "$_state" ]; then
          # asked fresh, and kept for the next state read (the answer of the daemon just verified)
          _v=$(TZ=UTC; export TZ; t systemctl show docker.service -p ExecMainStartTimestamp --no-pager 2>/dev/null)
          docker_key "$(pidof dockerd 2>/dev/null)" "${_v#*=}"
          docker_probe "$(pidof dockerd 2>/dev/null)"
          _state=$dstate
        fi
        case $_kind in
          insecure) printf '%s\n' "$_state" | grep -qixF "insecure $_value" || echo "insecure registry $_value" ;;
          mirror) printf '%s\n' "$_state" | grep -qixF "mirror $_value" || echo "registry mirror $_value" ;;
          no-proxy) printf '%s\n' "$_state" | sed -n 's/^no-proxy //p' | no_proxy_has "$_value" || echo "NO_PROXY entry $_value" ;;
          *) printf '%s\n' "$_state" | grep -qxF 'live-restore true' || echo 'live-restore' ;;
        esac ;;
    esac
  done
}

# docker_report: how dockerd is after the transaction (for the outcome)
docker_report() {
  systemctl is-active docker.service 2>/dev/null
  docker_state
}

# docker_journal: the end of dockerd's journal, for a rollback's report
docker_journal() {
  journalctl -u docker.service -n 25 --no-pager -o cat 2>&1 | tail -n 25
}
