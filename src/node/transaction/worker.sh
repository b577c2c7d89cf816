# shellcheck shell=sh
# The node transaction: run detached from dockhand's session (systemd-run or setsid), so it ends the same
# way whatever happens to dockhand or its connection. Follows src/node/sh/preamble.sh.
#
#   sh worker.sh DIR MODE LOCK_WAIT
#   DIR        /var/lib/dockhand/txn/RUN: bundle (the plan), data/N (new contents), journal, backup/N
#   MODE       apply: check, back up, write, validate, run handlers, verify, commit or roll back
#              recover: finish a transaction whose worker died (a journal without an outcome): a
#              transaction that had not written all its files is undone; one that had is driven on from
#              where it stopped, and rolled back when the runtime is not healthy with its files
#   LOCK_WAIT  seconds to wait for the node lock (/var/lib/dockhand/lock), held until the end
#
# bundle lines (paths never hold whitespace; the path is last):
#   family debian|rhel
#   change N write|delete MODE BEFORE_SHA256|absent AFTER_SHA256|absent PATH
#   validate docker|containerd PATH
#   handler update-trust|daemon-reload|reload-docker|restart-docker|restart-containerd
#   expect docker-active | docker-insecure VALUE | docker-mirror URL | docker-live-restore
#   expect containerd-cri | containerd-config-path DIR
#   report docker|containerd
# journal lines: locked, begin, wrote N, written, validated, handler-start H, handler-done H, verified,
#   committed | undone | rollback REASON, rolled-back | aborted REASON
# The outcome (file DIR/outcome, sections) is written whole at the end: the controller, or the next run, reads it.

T=$1
MODE=${2:-apply}
LOCK_WAIT=${3:-120}
ACTIVE_WAIT=60

[ -d "$T" ] || exit 1
if [ "$MODE" = recover ] && [ -f "$T/out" ]; then mv -f -- "$T/out" "$T/out.died"; fi
exec >>"$T/out" 2>>"$T/log" </dev/null
echo $$ > "$T/pid"

jot() { printf '%s\n' "$*" >> "$T/journal"; }
journaled() { grep -qxF -- "$*" "$T/journal" 2>/dev/null; }
# bundle_lines KIND: the bundle lines of one kind, without the kind word
bundle_lines() { sed -n "s/^$1 //p" "$T/bundle"; }
family=$(bundle_lines family)

# finish: the outcome is complete; publish it whole and keep only the newest transactions
finish() {
  report_runtimes
  section end
  mv -f -- "$T/out" "$T/outcome"
  prune
  exit 0
}

prune() {
  # transactions without an outcome are never pruned: the next run finishes them
  find "$STATE/txn" -mindepth 1 -maxdepth 1 -type d -exec test -f '{}/outcome' ';' -printf '%f\n' 2>/dev/null |
    sort -r | tail -n +11 | while IFS= read -r old; do rm -rf -- "${STATE:?}/txn/$old"; done
}

# target PATH: the file a managed path names; a symlink's target, so the link itself stays a link
target() {
  if [ -L "$1" ]; then readlink -f -- "$1"; else printf '%s\n' "$1"; fi
}

sha() {
  if [ -e "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; else echo absent; fi
}

# put TMP DEST MODE: an existing file keeps its mode and owner; a mount point (/etc/hosts in a
# container) is written in place
put() {
  if [ -e "$2" ]; then
    chmod --reference="$2" "$1" 2>/dev/null; chown --reference="$2" "$1" 2>/dev/null
  else
    chmod "$3" "$1"
  fi
  if ! mv -f -- "$1" "$2" 2>/dev/null; then
    if cat -- "$1" > "$2"; then rm -f -- "$1"; else rm -f -- "$1"; return 1; fi
  fi
}

# made_dirs DIR: note each directory level about to be created, deepest first, so an undo removes
# exactly those
made_dirs() {
  _dir=$1
  while [ ! -d "$_dir" ]; do printf '%s\n' "$_dir" >> "$T/made-dirs"; _dir=$(dirname -- "$_dir"); done
}

trust_update() {
  if [ "$family" = rhel ]; then update-ca-trust extract; else update-ca-certificates; fi
}

trust_command() {
  if [ "$family" = rhel ]; then echo 'update-ca-trust extract'; else echo update-ca-certificates; fi
}

# wait_active UNIT: active within ACTIVE_WAIT seconds; a unit that has failed (systemd gave up on it)
# is not waited for
wait_active() {
  _waited=0
  until systemctl is-active --quiet "$1"; do
    systemctl is-failed --quiet "$1" && return 1
    _waited=$((_waited + 1)); [ "$_waited" -ge $((ACTIVE_WAIT * 2)) ] && return 1; sleep 0.5
  done
}

wait_cri() {
  _waited=0
  while [ "$(cri_status)" != ok ]; do
    _waited=$((_waited + 1)); [ "$_waited" -ge 40 ] && return 1; sleep 0.5
  done
}

# docker_registry_lists: the running dockerd's insecure registries (CIDRs as JSON strings, index names)
# and mirrors, one per line, each line prefixed with its kind
docker_registry_lists() {
  # shellcheck disable=SC2016 # a Go template, not shell
  t docker info --format '{{range .RegistryConfig.InsecureRegistryCIDRs}}cidr {{json .}}
{{end}}{{range $k, $v := .RegistryConfig.IndexConfigs}}{{if not $v.Secure}}index {{$k}}
{{end}}{{end}}{{range .RegistryConfig.Mirrors}}mirror {{.}}
{{end}}live-restore {{.LiveRestoreEnabled}}
' 2>/dev/null | tr '[:upper:]' '[:lower:]' | sed 's|/*$||'
}

# lacking [PREFIX]: what the running runtimes do not show of the expectations (those starting with
# PREFIX: docker- or containerd-), one item per line; empty: all there
lacking() {
  lists=
  if bundle_lines expect | grep -q "^${1:-}docker-"; then lists=$(docker_registry_lists); fi
  bundle_lines expect | grep "^${1:-}" | while read -r what value; do
    want=$(printf '%s' "$value" | tr '[:upper:]' '[:lower:]' | sed 's|/*$||')
    case $what in
      docker-active) systemctl is-active --quiet docker.service || echo 'dockerd is not running' ;;
      docker-insecure)
        printf '%s\n' "$lists" | grep -qxF -e "index $want" -e "cidr \"$want\"" || echo "insecure registry $value" ;;
      docker-mirror) printf '%s\n' "$lists" | grep -qxF "mirror $want" || echo "registry mirror $value" ;;
      docker-live-restore) printf '%s\n' "$lists" | grep -qxF 'live-restore true' || echo 'live-restore' ;;
      containerd-cri) [ "$(cri_status)" = ok ] || echo "containerd's CRI plugin ($(cri_status))" ;;
      containerd-config-path)
        if has crictl; then
          t crictl info 2>/dev/null | grep -q "\"configPath\": *\"$value\"" || echo "CRI registry config_path $value"
        fi ;;
    esac
  done
}

# verify [PREFIX]: the expectations hold (a reload is applied asynchronously: look again for a few seconds)
verify() {
  _tries=0
  while :; do
    _missing=$(lacking "${1:-}")
    [ -z "$_missing" ] && return 0
    _tries=$((_tries + 1)); [ "$_tries" -ge 20 ] && break; sleep 0.25
  done
  printf '%s\n' "$_missing" | paste -sd, - | sed 's/,/, /g'
  return 1
}

journal_tail() {
  section journal
  for unit in $(bundle_lines report); do
    journalctl -u "$unit.service" -n 25 --no-pager -o cat 2>&1 | tail -n 25
  done
}

report_runtimes() {
  for unit in $(bundle_lines report); do
    section "$unit-active"
    systemctl is-active "$unit.service" 2>/dev/null
    case $unit in
      docker) section docker-info; t docker info --format '{{json .}}' 2>/dev/null ;;
      containerd) section containerd-cri; cri_status ;;
    esac
  done
}

# changes: the change lines, as "N OP MODE BEFORE AFTER PATH"
changes() { bundle_lines change; }

# restore_files: every file this transaction changed goes back byte-for-byte (mode and owner too), and
# the directories it created go again, and only those. A file that is no longer what this transaction
# wrote was changed by someone else since: it is left as it is, and said.
restore_files() {
  section restored
  changes | while read -r n _op _mode before after path; do
    p=$(target "$path")
    now=$(sha "$p")
    [ "$now" = "$before" ] && continue
    if [ "$now" != "$after" ]; then
      printf 'left %s as it is: it changed since this run wrote it\n' "$path" >&2
      section not-restored "$path"
      continue
    fi
    if [ "$before" = absent ]; then
      rm -f -- "$p"
    else
      d=$(dirname -- "$p")
      mkdir -p -- "$d"
      tmp=$(mktemp -- "$d/.dockhand.XXXXXX") && cp -p -- "$T/backup/$n" "$tmp" && put "$tmp" "$p" 0644 ||
        printf 'cannot restore %s\n' "$path" >&2
    fi
  done
  if [ -f "$T/made-dirs" ]; then
    # twice: a parent noted before a sibling's deeper level empties only on the second pass
    for _pass in 1 2; do while IFS= read -r dir; do rmdir -- "$dir" 2>/dev/null; done < "$T/made-dirs"; done
  fi
  return 0
}

# undo MESSAGE: files back before any handler ran; nothing else to undo. The node is as it was.
undo() {
  restore_files
  jot undone
  section error
  printf '%s\n' "$1"
  finish
}

started() { journaled "handler-start $1"; }

# rollback REASON: files back, then each handler that ran is run again on the old files, and no
# other: a daemon.json change is undone with a reload, a trust store with its update, a restart
# only where one happened
rollback() {
  jot "rollback $1"
  journal_tail
  restore_files
  still_failing=
  if started update-trust; then trust_update >/dev/null 2>&1 || still_failing="$(trust_command) failed again"; fi
  if started daemon-reload; then systemctl daemon-reload 2>&1; fi
  if started restart-docker; then
    systemctl reset-failed docker.service 2>/dev/null
    systemctl restart docker.service 2>&1
    wait_active docker.service || still_failing='the rollback did not bring Docker back either'
  elif started reload-docker; then
    systemctl reload docker.service 2>&1 || still_failing='docker did not reload its old configuration'
  fi
  if started restart-containerd; then
    systemctl reset-failed containerd.service 2>/dev/null
    systemctl restart containerd.service 2>&1
    { wait_active containerd.service && wait_cri; } || still_failing='the rollback did not bring containerd back either'
  fi
  if [ -n "$still_failing" ]; then
    jot "rollback-failed $still_failing"
    section error
    printf '%s; %s\n' "$1" "$still_failing"
    finish
  fi
  jot rolled-back
  section rolled-back
  printf '%s\n' "$1"
  finish
}

# handler NAME: run one handler (journalled before and after); a failure rolls the transaction back
handler() {
  jot "handler-start $1"
  section handler "$1"
  case $1 in
    update-trust)
      trust_update >/dev/null 2>&1 || rollback "$(trust_command) failed" ;;
    daemon-reload)
      systemctl daemon-reload 2>&1 || rollback 'systemctl daemon-reload failed' ;;
    reload-docker)
      systemctl reload docker.service 2>&1 || rollback 'docker did not reload its configuration' ;;
    restart-docker)
      systemctl reset-failed docker.service 2>/dev/null
      systemctl restart docker.service 2>&1 || rollback 'docker did not start with the new configuration'
      wait_active docker.service || rollback "docker was not active $ACTIVE_WAIT s after its restart" ;;
    restart-containerd)
      systemctl reset-failed containerd.service 2>/dev/null
      systemctl restart containerd.service 2>&1 || rollback 'containerd did not start with the new configuration'
      wait_active containerd.service || rollback "containerd was not active $ACTIVE_WAIT s after its restart"
      wait_cri || rollback "containerd's CRI plugin did not come up with the new configuration ($(cri_status))" ;;
  esac
  jot "handler-done $1"
}

validate() {
  bundle_lines validate | while read -r kind path; do
    p=$(target "$path")
    case $kind in
      docker)
        said=$(dockerd --validate --config-file "$p" 2>&1) ||
          { printf 'dockerd --validate refused the new %s: %s; nothing changed\n' "$path" "$said"; exit 1; } ;;
      containerd)
        said=$(t containerd --config "$p" config dump 2>&1 >/dev/null) ||
          { printf 'containerd refused the new %s: %s; nothing changed\n' "$path" "$said"; exit 1; } ;;
    esac
  done
}

# drive: from written files to a committed transaction (or a rolled-back one)
drive() {
  if ! journaled validated && ! grep -q '^handler-start ' "$T/journal"; then
    refused=$(validate) || undo "$refused"
    jot validated
  fi
  interrupted=
  for name in $(bundle_lines handler); do
    if journaled "handler-start $name" && ! journaled "handler-done $name"; then interrupted=$name; fi
  done
  case $interrupted in
    '') ;;
    update-trust|daemon-reload)
      # cut off (its worker died) before it finished: harmless to run again
      handler "$interrupted" ;;
    *)
      # a restart or reload was cut off: never run it again on these files; judge the runtime as it is
      unit=${interrupted#*-}
      wait_active "$unit.service"
      missing=$(verify "$unit-") || rollback "the run died during $interrupted and $unit is not healthy with its files: lacks $missing"
      jot "handler-done $interrupted" ;;
  esac
  for name in $(bundle_lines handler); do
    journaled "handler-start $name" || handler "$name"
  done
  if ! missing=$(verify); then
    case $missing in
      *dockerd*|*insecure\ registry*|*registry\ mirror*|*live-restore*) rollback "the registry is not in effect after apply: dockerd lacks $missing" ;;
      *) rollback "the registry is not in effect after apply: lacks $missing" ;;
    esac
  fi
  jot verified
  jot committed
  section committed
  finish
}

# --- the node lock: one transaction per node at a time; the kernel releases it however this ends
mkdir -p -- "$STATE"
exec 9>"$STATE/lock"
if has flock && ! flock -w "$LOCK_WAIT" 9; then
  jot "aborted lock"
  section error
  printf "another dockhand run has held this node's lock for %s s\n" "$LOCK_WAIT"
  finish
fi
# another run may have finished this transaction meanwhile (recovery races a late worker)
[ -f "$T/outcome" ] && exit 0
jot locked

if [ "$MODE" = recover ]; then
  section recovered "$(basename -- "$T")"
  if ! journaled begin; then
    jot 'aborted never began'
    section aborted
    finish
  fi
  journaled written || undo 'the run died while writing its files; they are back as they were'
  drive
fi

if journaled begin; then
  section error
  echo 'this transaction has already begun: recover it'
  finish
fi

# compare-and-swap: the plan holds only if each file is still as it was read
changes | while read -r _n _op _mode before _after path; do
  if [ "$(sha "$(target "$path")")" != "$before" ]; then section changed-underneath "$path"; exit 1; fi
done || { jot 'aborted changed underneath'; finish; }

# backups first: the previous content of every file this transaction touches
changes | while read -r n _op _mode before _after path; do
  [ "$before" = absent ] && continue
  cp -p -- "$(target "$path")" "$T/backup/$n" || { printf 'cannot back up %s (disk full?)\n' "$path"; exit 1; }
done > "$T/backup-error" || { section error; cat "$T/backup-error"; jot 'aborted backup'; finish; }
jot begin

# the writes: each through a temporary file in its own directory, moved into place
changes > "$T/changes"
while read -r n op mode _before _after path; do
  p=$(target "$path")
  d=$(dirname -- "$p")
  if [ "$op" = delete ]; then
    rm -f -- "$p" || undo "cannot remove $path: nothing changed"
    rmdir -- "$d" 2>/dev/null
  else
    made_dirs "$d"
    mkdir -p -- "$d" 2>/dev/null || undo "cannot create directory $d (disk full or read-only?): nothing changed"
    tmp=$(mktemp -- "$d/.dockhand.XXXXXX" 2>/dev/null) ||
      undo "cannot create a temporary file in $d (disk full or read-only?): nothing changed"
    cp -- "$T/data/$n" "$tmp" 2>/dev/null || { rm -f -- "$tmp"; undo "cannot write $path (disk full?): nothing changed"; }
    put "$tmp" "$p" "$mode" || undo "cannot write $path (read-only file system?): nothing changed"
  fi
  jot "wrote $n"
  section wrote "$path"
done < "$T/changes"
jot written
drive
