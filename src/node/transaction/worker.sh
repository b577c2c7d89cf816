# shellcheck shell=sh
# The node transaction: run detached from dockhand's session (systemd-run or setsid), so it ends the same
# way whatever happens to dockhand or its connection. Follows src/node/sh/preamble.sh and the .sh files of
# the runtimes it acts on: each RUNTIME defines RUNTIME_validate PATH, RUNTIME_handler ACTION (restart,
# reload, wait), RUNTIME_lacking (expectations on stdin), RUNTIME_report and RUNTIME_journal, and this
# file dispatches to them by the names in the bundle; it names no runtime itself.
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
#   validate RUNTIME PATH
#   handler update-trust | daemon-reload | ACTION-RUNTIME       (in the order they run)
#   expect RUNTIME-KIND [VALUE]                                 (RUNTIME_lacking reads KIND VALUE)
#   report RUNTIME DAEMON                                       (DAEMON: what "lacks" a setting)
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
# is not waited for (the runtimes' handlers call it)
# shellcheck disable=SC2317
wait_active() {
  _waited=0
  until systemctl is-active --quiet "$1"; do
    systemctl is-failed --quiet "$1" && return 1
    _waited=$((_waited + 1)); [ "$_waited" -ge $((ACTIVE_WAIT * 2)) ] && return 1; sleep 0.5
  done
}

# runtimes: "RUNTIME DAEMON" a line, for each runtime this transaction acts on
runtimes() { bundle_lines report; }

# lacking [RUNTIME]: what the running runtimes (or RUNTIME alone) do not show of the expectations, one
# runtime a line ("DAEMON lacks ITEM, ITEM"); empty: all there
lacking() {
  runtimes | while read -r _rt _daemon; do
    [ -z "${1:-}" ] || [ "$_rt" = "$1" ] || continue
    _items=$(bundle_lines expect | sed -n "s/^$_rt-//p" | "${_rt}_lacking" | paste -sd, - | sed 's/,/, /g')
    [ -z "$_items" ] || printf '%s lacks %s\n' "${_daemon:-$_rt}" "$_items"
  done
}

# verify [RUNTIME]: the expectations hold (a reload is applied asynchronously: look again for a few seconds)
verify() {
  _tries=0
  while :; do
    _missing=$(lacking "${1:-}")
    [ -z "$_missing" ] && return 0
    _tries=$((_tries + 1)); [ "$_tries" -ge 20 ] && break; sleep 0.25
  done
  printf '%s\n' "$_missing" | paste -sd';' - | sed 's/;/; /g'
  return 1
}

journal_tail() {
  section journal
  runtimes | while read -r _rt _daemon; do "${_rt}_journal"; done
}

report_runtimes() {
  runtimes | while read -r _rt _daemon; do
    section runtime-state "$_rt"
    "${_rt}_report"
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
  for h in $(bundle_lines handler); do
    started "$h" || continue
    case $h in
      update-trust) trust_update >/dev/null 2>&1 || still_failing="$(trust_command) failed again" ;;
      daemon-reload) systemctl daemon-reload >&2 ;;
      reload-*) started "restart-${h#*-}" || "${h#*-}_handler" reload >/dev/null || still_failing="${h#*-} did not reload its old configuration" ;;
      *) "${h#*-}_handler" "${h%%-*}" >/dev/null || still_failing="the rollback did not bring ${h#*-} back either" ;;
    esac
  done
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
      systemctl daemon-reload >&2 || rollback 'systemctl daemon-reload failed' ;;
    *)
      _why=$("${1#*-}_handler" "${1%%-*}") || rollback "${_why:-$1 failed}" ;;
  esac
  jot "handler-done $1"
}

# validate: each runtime checks its changed files before any handler; the first refusal, on stdout
validate() {
  bundle_lines validate | while read -r rt path; do
    said=$("${rt}_validate" "$(target "$path")") || { printf '%s; nothing changed\n' "$said"; exit 1; }
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
      rt=${interrupted#*-}
      "${rt}_handler" wait >/dev/null
      missing=$(verify "$rt") || rollback "the run died during $interrupted and $rt is not healthy with its files: $missing"
      jot "handler-done $interrupted" ;;
  esac
  for name in $(bundle_lines handler); do
    journaled "handler-start $name" || handler "$name"
  done
  if ! missing=$(verify); then rollback "the registry is not in effect after apply: $missing"; fi
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
