/**
 * The one script that applies a node's plan, sent on stdin (never in a command line):
 * 1. the previous content of every file it will touch is kept in a backup directory on the node
 *    (/var/lib/dockhand/backup/RUN) and the handlers owed are recorded (/var/lib/dockhand/pending), so
 *    a run that dies half-way leaves the next one knowing what is still owed;
 * 2. each file is written through a temp file in its own directory (content as base64 in a
 *    here-document: no byte of it is ever shell syntax) and moved into place, or written in place
 *    where the target is a mount point (/etc/hosts in a container); a failed write restores every file;
 * 3. the handlers run in order; if Docker does not come back, every file is restored byte-for-byte,
 *    systemd reloaded, Docker restarted, and the run reports it rolled back, with the journal;
 * 4. what dockerd reports, for the caller to verify the effect.
 */
import { createHash, randomBytes } from 'node:crypto';
import { shQuote } from '../connection/quote.ts';
import type { OsFamily } from '../facts/types.ts';
import { DAEMON_JSON_PATH } from '../resources/daemon-json.ts';
import { trustUpdateCommand } from '../resources/trust-store.ts';
import type { FileChange, Handler } from './types.ts';

/** How long dockerd may take to be active again after a restart. */
export const DOCKER_ACTIVE_TIMEOUT_S = 60;
/** dockhand's own directory on a node: backups, owed handlers, the node lock. */
export const STATE_DIR = '/var/lib/dockhand';
export const PENDING_PATH = `${STATE_DIR}/pending`;
/** Backups kept per node (the newest). */
const BACKUPS_KEPT = 10;
/** How long a run waits for another run's lock on the same node. */
export const LOCK_WAIT_S = 120;
/** Exit status of an apply script that found a file changed since it was read (another run). */
export const CHANGED_UNDERNEATH_EXIT = 4;

function functions(family: OsFamily, handlers: readonly Handler[]): string {
  const touchesDocker = handlers.some((h) => h === 'daemon-reload' || h === 'reload-docker' || h === 'restart-docker');
  return `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 022
STATE=${STATE_DIR}
section() { printf '\\n@@dockhand:%s@@\\n' "$*"; }
fail() { section error; printf '%s\\n' "$*"; section end; exit 1; }
journal() { section journal; journalctl -u docker.service -n 25 --no-pager -o cat 2>&1 | tail -n 25; }
# put TMP DEST MODE: an existing file keeps its mode and owner; a mount point is written in place
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
# backup N PATH: keep PATH's content (or that it was absent) as entry N of this run's backup
backup() {
  if [ -e "$2" ]; then
    cp -p -- "$2" "$B/$1" || fail "cannot back up $2 (disk full?)"
    printf '%s existed %s\\n' "$1" "$2" >> "$B/manifest"
  else
    printf '%s absent %s\\n' "$1" "$2" >> "$B/manifest"
  fi
}
# made_dirs DIR: note each directory level about to be created, deepest first, for restore_files
made_dirs() {
  p=$1
  while [ ! -d "$p" ]; do printf '%s\n' "$p" >> "$B/made-dirs"; p=$(dirname -- "$p"); done
}
# restore_files: every file of this run's backup back, byte-for-byte (mode and owner too); the
# directories this run created go again, and only those
restore_files() {
  [ -f "$B/manifest" ] || return 0
  section restored
  while read -r n kind path; do
    if [ "$kind" = existed ]; then
      mkdir -p -- "$(dirname -- "$path")"
      t=$(mktemp -- "$(dirname -- "$path")/.dockhand.XXXXXX") && cp -p -- "$B/$n" "$t" && put "$t" "$path" 0644 || printf 'cannot restore %s\n' "$path" >&2
    else
      rm -f -- "$path"
    fi
  done < "$B/manifest"
  if [ -f "$B/made-dirs" ]; then
    # twice: a parent noted before a sibling's deeper level empties only on the second pass
    for pass in 1 2; do while read -r dir; do rmdir -- "$dir" 2>/dev/null; done < "$B/made-dirs"; done
  fi
  return 0
}
wait_active() {
  n=0
  until systemctl is-active --quiet docker.service; do
    n=$((n + 1)); [ "$n" -ge ${DOCKER_ACTIVE_TIMEOUT_S} ] && return 1; sleep 1
  done
}
# rollback REASON: files back, trust and systemd told, Docker restarted on the old configuration
rollback() {
  journal
  restore_files
  ${handlers.includes('update-trust') ? `${trustUpdateCommand(family)} >/dev/null 2>&1` : ':'}
  ${touchesDocker ? `systemctl daemon-reload 2>&1
  systemctl reset-failed docker.service 2>/dev/null
  systemctl restart docker.service 2>&1
  if ! wait_active; then section error; printf '%s; the rollback did not bring Docker back either\\n' "$1"; section end; exit 1; fi` : ':'}
  rm -f -- "$STATE/pending"
  section rolled-back
  printf '%s\\n' "$1"
  section docker-active
  systemctl is-active docker.service 2>/dev/null
  section end
  exit 3
}
`;
}

function writeFile(change: FileChange, token: string): string {
  const path = shQuote(change.path);
  const content = Buffer.from(change.after ?? '', 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
  return `d=$(dirname -- ${path})
made_dirs "$d"
mkdir -p -- "$d" || { restore_files; fail "cannot create directory $d (disk full or read-only?): nothing changed"; }
tmp=$(mktemp -- "$d/.dockhand.XXXXXX") || { restore_files; fail "cannot create a temporary file in $d (disk full or read-only?): nothing changed"; }
base64 -d > "$tmp" <<'${token}' || { rm -f -- "$tmp"; restore_files; fail ${shQuote(`cannot write ${change.path} (disk full?): nothing changed`)}; }
${content}
${token}
put "$tmp" ${path} ${change.mode} || { restore_files; fail ${shQuote(`cannot write ${change.path} (read-only file system?): nothing changed`)}; }
section wrote ${path}
`;
}

function deleteFile(change: FileChange): string {
  const path = shQuote(change.path);
  return `rm -f -- ${path} || { restore_files; fail ${shQuote(`cannot remove ${change.path}: nothing changed`)}; }
rmdir -- "$(dirname -- ${path})" 2>/dev/null
section wrote ${path}
`;
}

function handler(name: Handler, family: OsFamily, expected: readonly string[]): string {
  switch (name) {
    case 'update-trust':
      return `section handler update-trust
${trustUpdateCommand(family)} >/dev/null 2>&1 || rollback ${shQuote(`${trustUpdateCommand(family)} failed`)}
`;
    case 'daemon-reload':
      return `section handler daemon-reload
systemctl daemon-reload 2>&1 || rollback "systemctl daemon-reload failed"
`;
    case 'reload-docker':
      // SIGHUP is handled asynchronously: wait (briefly) until dockerd shows what it was given
      return `section handler reload-docker
systemctl reload docker.service 2>&1 || rollback "docker did not reload its configuration"
n=0
while [ "$n" -lt 20 ]; do
  info=$(docker info --format '{{json .RegistryConfig}}' 2>/dev/null)
  missing=0
  for want in ${expected.map(shQuote).join(' ')}; do
    case "$info" in *"\\"$want"*) ;; *) missing=1 ;; esac
  done
  [ "$missing" -eq 0 ] && break
  n=$((n + 1)); sleep 0.25
done
`;
    case 'restart-docker':
      return `section handler restart-docker
systemctl reset-failed docker.service 2>/dev/null
systemctl restart docker.service 2>&1 || rollback "docker did not start with the new configuration"
wait_active || rollback "docker was not active ${DOCKER_ACTIVE_TIMEOUT_S} s after its restart"
`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compare-and-swap: the plan holds only if each file is still as it was read (no other run wrote it). */
function unchangedSinceRead(change: FileChange): string {
  const path = shQuote(change.path);
  const test =
    change.before === null
      ? `[ ! -e ${path} ]`
      : `[ "$(sha256sum < ${path} 2>/dev/null | cut -d' ' -f1)" = ${sha256(change.before)} ]`;
  return `${test} || { section changed-underneath ${path}; section end; exit ${CHANGED_UNDERNEATH_EXIT}; }
`;
}

/** A run's name on the node: sortable by time, unique. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export interface ApplyScriptOptions {
  /** The registries and mirrors dockerd must show afterwards (a reload is waited for until it does). */
  readonly expected?: readonly string[];
  /** The node's dockerd has `--validate` (Docker 23+): a new daemon.json is checked before any handler. */
  readonly validate?: boolean;
}

/** `dockerd --validate` on the new daemon.json; refused, every file goes back and nothing is owed. */
function validateDaemonJson(): string {
  return `section validate
if ! said=$(dockerd --validate --config-file ${DAEMON_JSON_PATH} 2>&1); then
  restore_files
  fail "dockerd --validate refused the new ${DAEMON_JSON_PATH}: $said; nothing changed"
fi
`;
}

/** The script applying these changes and handlers on a node of this family. */
export function applyScript(
  runId: string,
  changes: readonly FileChange[],
  handlers: readonly Handler[],
  family: OsFamily,
  options: ApplyScriptOptions = {},
): string {
  const expected = options.expected ?? [];
  const validate = options.validate === true && changes.some((c) => c.resource === 'daemon-json' && c.after !== null);
  const token = `DOCKHAND_${randomBytes(12).toString('hex')}`;
  return [
    functions(family, handlers),
    `B=$STATE/backup/${runId}
section begin 1
mkdir -p -- "$B" && chmod 700 "$STATE" "$STATE/backup" "$B" || fail "cannot create $B (disk full or read-only?)"
# one run per node at a time: the kernel releases the lock when this process ends, however it ends
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE/lock"
  flock -w ${LOCK_WAIT_S} 9 || fail "another dockhand run has held this node's lock for ${LOCK_WAIT_S} s"
fi
`,
    ...changes.map(unchangedSinceRead),
    ...changes.map((change, i) => `backup ${i + 1} ${shQuote(change.path)}\n`),
    // the owed handlers are state too: a write that fails and is undone leaves them as they were
    handlers.length > 0 ? `backup 0 "$STATE/pending"\n` : '',
    handlers.length > 0
      ? `printf '%s\\n' ${handlers.join(' ')} > "$STATE/pending.new" && mv -f -- "$STATE/pending.new" "$STATE/pending" || fail "cannot record the owed handlers (disk full?)"\n`
      : '',
    ...changes.map((change) => (change.after === null ? deleteFile(change) : writeFile(change, token))),
    validate ? validateDaemonJson() : '',
    ...handlers.map((name) => handler(name, family, expected)),
    `rm -f -- "$STATE/pending"
ls -1 "$STATE/backup" 2>/dev/null | sort -r | tail -n +${BACKUPS_KEPT + 1} | while read -r old; do rm -rf -- "$STATE/backup/$old"; done
section docker-active
systemctl is-active docker.service 2>/dev/null
section docker-info
if command -v timeout >/dev/null 2>&1; then timeout 20 docker info --format '{{json .}}' 2>/dev/null; else docker info --format '{{json .}}' 2>/dev/null; fi
section end
`,
  ].join('');
}

/** The script that rolls a run back on a node, when its effect could not be verified afterwards. */
export function rollbackScript(runId: string, handlers: readonly Handler[], family: OsFamily, reason: string): string {
  return `${functions(family, handlers)}B=$STATE/backup/${runId}
section begin 1
[ -f "$B/manifest" ] || fail ${shQuote(`no backup of run ${runId} on this node`)}
rollback ${shQuote(reason)}
`;
}
