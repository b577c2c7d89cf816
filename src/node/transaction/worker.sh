# shellcheck shell=sh
# The node transaction: run detached from dockhand's session (systemd-run or setsid), so it ends the same
# way whatever happens to dockhand or its connection. Follows src/node/sh/preamble.sh and the .sh files of
# the runtimes it acts on: each RUNTIME defines RUNTIME_validate PATH, RUNTIME_handler ACTION (restart,
# reload, wait), RUNTIME_lacking (expectations on stdin), RUNTIME_report and RUNTIME_journal, and this
# file dispatches to them by the names in the bundle; it names no runtime itself.
#
#   sh worker.sh DIR MODE LOCK_WAIT ID
#   DIR        /var/lib/dockhand/txn/RUN: bundle (the plan), data/N (new contents), journal, backup/N
#   MODE       apply: check, back up, write (each new file validated before it replaces the old one),
#              run handlers, verify, commit or roll back
#              recover: finish a transaction whose worker died (a journal without an outcome): one that
#              had not written all its files is undone; one that had is driven on from where it stopped,
#              and rolled back when the runtime is not healthy with its files
#   LOCK_WAIT  seconds to wait for the node lock (/var/lib/dockhand/lock), held until the end
#   ID         this worker's name among the workers of DIR (its launcher's): its pid goes to DIR/pid.ID,
#              its output to DIR/out.ID; it holds DIR/alive.ID's lock while it lives; one that cannot
#              have the node lock leaves DIR/busy.ID, and no outcome
#
# bundle lines (paths never hold whitespace; the path is last):
#   family debian|rhel
#   key SHA256                                                  (the change, by content)
#   change N write|delete MODE BEFORE_SHA256|absent AFTER_SHA256|absent PATH
#   validate RUNTIME PATH
#   handler update-trust | daemon-reload | ACTION-RUNTIME       (in the order they run)
#   expect RUNTIME-KIND [VALUE]                                 (RUNTIME_lacking reads KIND VALUE)
#   report RUNTIME DAEMON                                       (DAEMON: what "lacks" a setting)
#   start-wait SECONDS                                          (the play's start_timeout; else ACTIVE_WAIT's 60)
# journal lines: locked, begin, writing N, wrote N, written, validated, handler-start H, handler-done H,
#   verified, committed | undone | rollback REASON, rolled-back | rollback-failed REASON | aborted REASON
#
# Durability: a new file is synced before it is renamed into place and its directory after; the
# backups and the journal reach the disk before `begin`, and `writing N` before file N is touched; the
# outcome is synced before it is published. A backup is restored only when its bytes are the ones it
# was taken from.
#
# Failpoints: `fp NAME [DETAIL]` marks each step. A test writes NAME (or `NAME DETAIL`) to
# $STATE/failpoint; the worker that reaches that point removes the file and kills itself and its
# children at once (SIGKILL), as a crash would. Nothing else reads that file.

T=$1
MODE=${2:-apply}
LOCK_WAIT=${3:-120}
ID=${4:-$$}
# seconds a restarted runtime may take to be active; START_WAIT: the play's own, when the bundle has one
ACTIVE_WAIT=60
START_WAIT=

[ -d "$T" ] || exit 1
exec >>"$T/out.$ID" 2>>"$T/log" </dev/null
# the launcher waits for this worker's end on the lock of DIR/alive.ID, which the kernel releases however
# the worker ends (a kill included), rather than by waking every 0.2 s: taken before the pid is written,
# so a launcher that has read the pid finds it held
exec 8>"$T/alive.$ID"
if has flock; then flock -n 8 || :; fi
echo $$ > "$T/pid.$ID"

FAILPOINT=
if [ -f "$STATE/failpoint" ]; then read -r FAILPOINT < "$STATE/failpoint" || true; fi

# fp NAME [DETAIL]: a point where a test may kill this transaction
fp() {
  [ -n "$FAILPOINT" ] || return 0
  [ "$FAILPOINT" = "$1" ] || [ "$FAILPOINT" = "$*" ] || return 0
  rm -f -- "$STATE/failpoint"
  sync
  kill -9 0
}

jot() { printf '%s\n' "$*" >> "$T/journal"; }
# jot_synced LINE: journalled, and on the disk before anything it announces happens
jot_synced() { jot "$@"; sync -- "$T/journal"; }
journaled() { grep -qxF -- "$*" "$T/journal" 2>/dev/null; }
# bundle_lines KIND: the bundle lines of one kind, without the kind word
bundle_lines() { sed -n "s/^$1 //p" "$T/bundle"; }
# the bundle's settings, read by the shell itself (no process); family: read by trust.sh, composed before this file
# shellcheck disable=SC2034
family=
# shellcheck disable=SC2034
while read -r _kind _value; do
  case $_kind in
    family) family=$_value ;;
    start-wait) START_WAIT=$_value ;;
  esac
done < "$T/bundle"
[ -z "$START_WAIT" ] || ACTIVE_WAIT=$START_WAIT

# finish: the outcome is complete; publish it whole (on the disk first) and keep only the newest transactions
finish() {
  report_runtimes
  section end
  sync -- "$T/out.$ID"
  mv -f -- "$T/out.$ID" "$T/outcome"
  sync -- "$T"
  fp outcome
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

# put TMP DEST MODE: TMP (synced) replaces DEST; an existing file keeps its mode and owner. A mount
# point (/etc/hosts in a container) cannot be replaced: it is written in place, and only the written
# bytes are synced. TMP is gone afterwards, whatever happened.
put() {
  if [ -e "$2" ]; then
    chmod --reference="$2" "$1" 2>/dev/null; chown --reference="$2" "$1" 2>/dev/null
  else
    chmod "$3" "$1"
  fi
  fp temp-written
  if mv -f -- "$1" "$2" 2>/dev/null; then
    fp renamed
    sync -- "$(dirname -- "$2")"
    return 0
  fi
  fp in-place
  if [ "$FAILPOINT" = in-place-half ]; then
    # a crash half-way through an in-place write: half the new bytes reached the file
    _size=$(wc -c < "$1"); head -c $((_size / 2)) -- "$1" > "$2"; sync -- "$2"; fp in-place-half
  fi
  if cat -- "$1" > "$2" && sync -- "$2"; then rm -f -- "$1"; return 0; fi
  rm -f -- "$1"
  return 1
}

# temporary FILE: note a temporary file, on the disk before anything is written to it, so that a recovery
# removes it where a kill left it (put removes it otherwise)
temporary() {
  printf '%s\n' "$1" >> "$T/temps" && sync -- "$T/temps"
}

# remove_temporaries: the temporary files a killed worker left behind go
remove_temporaries() {
  [ -f "$T/temps" ] || return 0
  while IFS= read -r _t; do rm -f -- "$_t"; done < "$T/temps"
}

# made_dirs DIR: note each directory level about to be created, deepest first, so an undo removes
# exactly those
made_dirs() {
  _dir=$1
  while [ ! -d "$_dir" ]; do printf '%s\n' "$_dir" >> "$T/made-dirs"; _dir=$(dirname -- "$_dir"); done
}

# ledger: the files and directories dockhand created on this node (`file PATH`, `dir PATH`), kept
# across transactions: a delete never removes a directory that is not in it
LEDGER=$STATE/ledger
in_ledger() { grep -qxF -- "$1 $2" "$LEDGER" 2>/dev/null; }

# ledger_commit: this transaction's created files and directories join the ledger, deleted ones leave it
ledger_commit() {
  {
    [ -f "$LEDGER" ] && cat -- "$LEDGER"
    changes | while read -r _n op _mode before _after path; do
      if [ "$op" = write ] && [ "$before" = absent ]; then echo "file $path"; fi
    done
    [ -f "$T/made-dirs" ] && sed 's/^/dir /' "$T/made-dirs"
  } | sort -u > "$LEDGER.new"
  changes | while read -r _n op _mode _before _after path; do
    [ "$op" = delete ] && printf 'file %s\n' "$path"
  done > "$T/deleted"
  if [ -s "$T/deleted" ]; then grep -vxF -f "$T/deleted" "$LEDGER.new" > "$LEDGER.kept"; mv -f -- "$LEDGER.kept" "$LEDGER.new"; fi
  sync -- "$LEDGER.new" && mv -f -- "$LEDGER.new" "$LEDGER" && sync -- "$STATE"
}

# wait_active UNIT: active within ACTIVE_WAIT seconds (the runtimes' handlers call it): 1 when systemd gave
# up on it (failed), 2 when it is still not active when the time is up (its start hangs)
# shellcheck disable=SC2317
wait_active() {
  _waited=0
  until systemctl is-active --quiet "$1"; do
    systemctl is-failed --quiet "$1" && return 1
    # a unit with Restart= does not fail at once: its failed start waits in auto-restart for the next one
    [ "$_waited" -gt 0 ] && [ "$(systemctl show -p SubState "$1" 2>/dev/null)" = SubState=auto-restart ] && return 1
    _waited=$((_waited + 1)); [ "$_waited" -ge $((ACTIVE_WAIT * 2)) ] && return 2; sleep 0.5
  done
}

# restart_unit UNIT: restart it, and let one systemctl wait for systemd's job to end, ACTIVE_WAIT seconds at
# most (a unit may have no start timeout, and a start that hangs must not hold the transaction and the node
# lock forever; the job goes on without the client), rather than ask systemd again every 0.5 s (three
# processes each time, for as long as a start takes: tens of seconds on a busy node): 0 active again on a
# new start, 1 its start failed (systemd gave up on it, or waits to try again), 2 still not up (it hangs)
# shellcheck disable=SC2317
restart_unit() {
  _before=$(systemctl show -p ExecMainStartTimestampMonotonic "$1" 2>/dev/null)
  systemctl reset-failed "$1" 2>/dev/null
  timeout "$ACTIVE_WAIT" systemctl restart "$1" >&2
  case $? in
    0) ;;
    124) return 2 ;;
    *) return 1 ;;
  esac
  if systemctl is-active --quiet "$1" && [ "$(systemctl show -p ExecMainStartTimestampMonotonic "$1" 2>/dev/null)" != "$_before" ]; then
    return 0
  fi
  return 1
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

# restore N BEFORE PATH: file N back as it was, from its backup (checked against BEFORE first), or
# removed where it was absent; 1 with the reason on stderr when it cannot be
restore() {
  _p=$(target "$3")
  if [ "$2" = absent ]; then
    rm -f -- "$3" && sync -- "$(dirname -- "$3")" && return 0
    echo "cannot remove $3" >&2; return 1
  fi
  if [ "$(sha "$T/backup/$1")" != "$2" ]; then
    echo "the backup of $3 is not the file it was taken from (damaged): it was not restored" >&2; return 1
  fi
  _d=$(dirname -- "$_p")
  mkdir -p -- "$_d" 2>/dev/null
  if _tmp=$(mktemp -- "$_d/.dockhand.XXXXXX" 2>/dev/null); then
    temporary "$_tmp"
    if cp -p -- "$T/backup/$1" "$_tmp" 2>/dev/null && sync -- "$_tmp" && put "$_tmp" "$_p" 0644; then return 0; fi
    rm -f -- "$_tmp"
  fi
  # no room for a temporary file (a full disk): the old bytes go back in place
  if cat -- "$T/backup/$1" > "$_p" 2>/dev/null && sync -- "$_p" && [ "$(sha "$_p")" = "$2" ]; then return 0; fi
  echo "cannot restore $3 (disk full or read-only?)" >&2
  return 1
}

# restore_files: every file this transaction changed goes back byte-for-byte (mode and owner too), and
# the directories it created go again, and only those. A file that is no longer what this transaction
# wrote was changed by someone else since: it is left as it is, and said; so is one that cannot be
# restored (each also in $T/not-restored). A write cut off half-way (`writing N` without `wrote N`) is
# always put back.
restore_files() {
  : > "$T/not-restored"
  section restored
  _announced=yes
  grep -q '^writing ' "$T/journal" 2>/dev/null || _announced=no
  changes | while read -r n _op _mode before after path; do
    # an older worker journalled no `writing N`: every change may have been touched
    [ "$_announced" = no ] || journaled "writing $n" || continue
    now=$(sha "$(target "$path")")
    [ "$now" = "$before" ] && continue
    if [ "$now" != "$after" ] && { journaled "wrote $n" || [ "$_announced" = no ]; }; then
      printf 'left %s as it is: it changed since this run wrote it\n' "$path" >&2
      printf '%s\n' "$path" >> "$T/not-restored"
      section not-restored "$path"
      echo 'it changed since this run wrote it'
      continue
    fi
    if ! why=$(restore "$n" "$before" "$path" 2>&1); then
      printf '%s\n' "$why" >&2
      printf '%s\n' "$path" >> "$T/not-restored"
      section not-restored "$path"
      printf '%s\n' "$why"
    fi
  done
  if [ -f "$T/made-dirs" ]; then
    # twice: a parent noted before a sibling's deeper level empties only on the second pass
    for _pass in 1 2; do while IFS= read -r dir; do rmdir -- "$dir" 2>/dev/null; done < "$T/made-dirs"; done
  fi
  fp restored
  return 0
}

# remember_failure REASON: this change (by content) failed here; the controller does not try it again
# unless told to. Not in a recovery: a transaction killed half-way may fail for the kill's sake, not the
# change's (the next run tries it again, and remembers it if it fails then)
remember_failure() {
  [ "$MODE" != recover ] || return 0
  _key=$(bundle_lines key)
  [ -n "$_key" ] || return 0
  mkdir -p -- "$STATE/failed" &&
    printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(basename -- "$T")" "$1" > "$STATE/failed/.$_key" &&
    sync -- "$STATE/failed/.$_key" && mv -f -- "$STATE/failed/.$_key" "$STATE/failed/$_key"
  # the newest 20 are enough
  find "$STATE/failed" -maxdepth 1 -type f ! -name '.*' -printf '%T@ %f\n' 2>/dev/null | sort -rn | tail -n +21 |
    while read -r _at old; do rm -f -- "$STATE/failed/$old"; done
}

# undo MESSAGE [refused]: files back before any handler ran; nothing else to undo. The node is as it
# was ("nothing changed"), unless a file could not be put back: then the transaction failed, and its
# outcome names the file. `refused`: the runtime refused the change (remembered, not tried again).
undo() {
  restore_files
  if [ "${2:-}" = refused ]; then remember_failure "$1"; fi
  jot undone
  section error
  if [ -s "$T/not-restored" ]; then
    printf '%s; not every file could be put back\n' "$1"
  else
    printf '%s: nothing changed\n' "$1"
  fi
  finish
}

started() { journaled "handler-start $1"; }

# rollback REASON: files back, then each handler that ran is run again on the old files, and no
# other: a daemon.json change is undone with a reload, a trust store with its update, a restart
# only where one happened. The failed change is remembered.
rollback() {
  jot_synced "rollback $1"
  fp rollback-begun
  journal_tail
  restore_files
  remember_failure "$1"
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
    jot_synced "rollback-failed $still_failing"
    section error
    printf '%s; %s\n' "$1" "$still_failing"
    finish
  fi
  jot_synced rolled-back
  fp rolled-back
  section rolled-back
  printf '%s\n' "$1"
  finish
}

# handler NAME: run one handler (journalled before and after); a failure rolls the transaction back
handler() {
  jot_synced "handler-start $1"
  fp handler-started "$1"
  section handler "$1"
  case $1 in
    update-trust)
      trust_update >/dev/null 2>&1 || rollback "$(trust_command) failed" ;;
    daemon-reload)
      systemctl daemon-reload >&2 || rollback 'systemctl daemon-reload failed' ;;
    *)
      _why=$("${1#*-}_handler" "${1%%-*}") || rollback "${_why:-$1 failed}" ;;
  esac
  jot_synced "handler-done $1"
  fp handler-done "$1"
}

# validator PATH: the runtime that checks a new PATH before it replaces the old one (none: empty)
validator() { bundle_lines validate | sed -n "s| $1\$||p" | head -n 1; }

# validate: each runtime checks its changed files as they are on the disk (a transaction an older worker
# began); the first refusal, on stdout
validate() {
  bundle_lines validate | while read -r rt path; do
    said=$("${rt}_validate" "$(target "$path")") || { printf 'the new %s was refused: %s\n' "$path" "$said"; exit 1; }
  done
}

# drive: from written files to a committed transaction (or a rolled-back one)
drive() {
  if ! journaled validated && ! grep -q '^handler-start ' "$T/journal"; then
    refused=$(validate) || undo "$refused" refused
    jot validated
  fi
  fp validated
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
      jot_synced "handler-done $interrupted" ;;
  esac
  for name in $(bundle_lines handler); do
    journaled "handler-start $name" || handler "$name"
  done
  if ! missing=$(verify); then rollback "the registry is not in effect after apply: $missing"; fi
  jot verified
  fp verified
  ledger_commit
  jot_synced committed
  fp committed
  section committed
  finish
}

# write N MODE PATH: file N of the bundle replaces PATH (validated first where a runtime checks it);
# a failure undoes the transaction
write() {
  p=$(target "$3")
  d=$(dirname -- "$p")
  made_dirs "$d"
  mkdir -p -- "$d" 2>/dev/null || undo "cannot create directory $d (disk full or read-only?)"
  tmp=$(mktemp -- "$d/.dockhand.XXXXXX" 2>/dev/null) ||
    undo "cannot create a temporary file in $d (disk full or read-only?)"
  temporary "$tmp"
  if ! dd if="$T/data/$1" of="$tmp" conv=fsync status=none 2>/dev/null; then
    rm -f -- "$tmp"
    undo "cannot write $3 (disk full?)"
  fi
  rt=$(validator "$3")
  if [ -n "$rt" ] && ! said=$("${rt}_validate" "$tmp"); then
    rm -f -- "$tmp"
    undo "the new $3 was refused: $said" refused
  fi
  put "$tmp" "$p" "$2" || undo "cannot write $3 (read-only file system?)"
}

# --- the node lock first: one transaction per node at a time; the kernel releases it however this ends.
# A worker that cannot have it leaves no outcome and no journal line: the transaction is still there to finish.
mkdir -p -- "$STATE"
exec 9>"$STATE/lock"
if has flock && ! flock -w "$LOCK_WAIT" 9; then
  printf "another dockhand run has held this node's lock for %s s\n" "$LOCK_WAIT" > "$T/busy.$ID"
  exit 3
fi
# another worker may have finished this transaction meanwhile (recovery races a late worker)
[ -f "$T/outcome" ] && exit 0
jot locked
fp locked

if [ "$MODE" = recover ]; then
  section recovered "$(basename -- "$T")"
  remove_temporaries
  if ! journaled begin; then
    jot 'aborted never began'
    section aborted
    finish
  fi
  journaled written || undo 'the run died while writing its files'
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

# backups first: the previous content of every file this transaction touches, on the disk with the
# journal before anything is written
changes | while read -r n _op _mode before _after path; do
  [ "$before" = absent ] && continue
  cp -p -- "$(target "$path")" "$T/backup/$n" || { printf 'cannot back up %s (disk full?)\n' "$path"; exit 1; }
done > "$T/backup-error" || { section error; cat "$T/backup-error"; rm -rf -- "$T/backup"; jot 'aborted backup'; finish; }
sync -- "$T"/backup/* "$T/backup" "$T/bundle" "$T"/data/* 2>/dev/null
fp backed-up
jot_synced begin
fp begun

# the writes: each through a synced temporary file in its own directory, renamed into place; a delete
# removes the path itself (a symbolic link, never its target)
changes > "$T/changes"
while read -r n op mode _before _after path; do
  jot_synced "writing $n"
  fp writing "$n"
  if [ "$op" = delete ]; then
    rm -f -- "$path" || undo "cannot remove $path"
    d=$(dirname -- "$path")
    if in_ledger dir "$d"; then rmdir -- "$d" 2>/dev/null; fi
    sync -- "$d" 2>/dev/null
  else
    write "$n" "$mode" "$path"
  fi
  jot "wrote $n"
  fp wrote "$n"
  section wrote "$path"
done < "$T/changes"
jot_synced written
fp written
jot validated
drive
