/**
 * The one script that applies a node's plan: every file written through a temp file in the same
 * directory (content as base64 in a here-document: no byte of it is ever shell syntax), moved into
 * place (written in place where the target is a mount point, as /etc/hosts in a container), then
 * the handlers, in order, then what dockerd reports. It is sent on stdin, never in a command line.
 */
import { randomBytes } from 'node:crypto';
import { shQuote } from '../connection/quote.ts';
import type { OsFamily } from '../facts/types.ts';
import { trustUpdateCommand } from '../resources/trust-store.ts';
import type { FileChange, Handler } from './types.ts';

/** How long dockerd may take to be active again after a restart. */
export const DOCKER_ACTIVE_TIMEOUT_S = 60;

const PRELUDE = `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 022
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
    if cat -- "$1" > "$2"; then rm -f -- "$1"; else rm -f -- "$1"; fail "cannot write $2"; fi
  fi
}
`;

function writeFile(change: FileChange, token: string): string {
  const path = shQuote(change.path);
  const content = Buffer.from(change.after ?? '', 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
  return `d=$(dirname -- ${path})
mkdir -p -- "$d" || fail "cannot create directory $d"
tmp=$(mktemp -- "$d/.dockhand.XXXXXX") || fail "cannot create a temporary file in $d (disk full or read-only?)"
base64 -d > "$tmp" <<'${token}' || { rm -f -- "$tmp"; fail "cannot write ${change.path.replaceAll('"', '')} (disk full?)"; }
${content}
${token}
put "$tmp" ${path} ${change.mode}
section wrote ${path}
`;
}

function deleteFile(change: FileChange): string {
  const path = shQuote(change.path);
  return `rm -f -- ${path} || fail "cannot remove ${change.path.replaceAll('"', '')}"
rmdir -- "$(dirname -- ${path})" 2>/dev/null
section wrote ${path}
`;
}

function handler(name: Handler, family: OsFamily, expected: readonly string[]): string {
  switch (name) {
    case 'reload-docker':
      // SIGHUP is handled asynchronously: wait (briefly) until dockerd shows what it was given
      return `section handler reload-docker
systemctl reload docker.service 2>&1 || { journal; fail "docker did not reload"; }
n=0
while [ "$n" -lt 20 ]; do
  info=$(docker info --format '{{json .RegistryConfig}}' 2>/dev/null)
  missing=0
  for want in ${expected.map(shQuote).join(' ')}; do
    case "$info" in *"\"$want"*) ;; *) missing=1 ;; esac
  done
  [ "$missing" -eq 0 ] && break
  n=$((n + 1)); sleep 0.25
done
`;
    case 'update-trust':
      return `section handler update-trust
${trustUpdateCommand(family)} >/dev/null 2>&1 || fail "${trustUpdateCommand(family)} failed"
`;
    case 'daemon-reload':
      return `section handler daemon-reload
systemctl daemon-reload 2>&1 || fail "systemctl daemon-reload failed"
`;
    case 'restart-docker':
      return `section handler restart-docker
systemctl reset-failed docker.service 2>/dev/null
if ! systemctl restart docker.service 2>&1; then journal; fail "docker did not restart"; fi
n=0
until systemctl is-active --quiet docker.service; do
  n=$((n + 1))
  if [ "$n" -ge ${DOCKER_ACTIVE_TIMEOUT_S} ]; then journal; fail "docker is not active ${DOCKER_ACTIVE_TIMEOUT_S} s after its restart"; fi
  sleep 1
done
`;
  }
}

/**
 * The script applying these changes and handlers on a node of this family; `expected` are the
 * registries and mirrors dockerd must show afterwards.
 */
export function applyScript(changes: readonly FileChange[], handlers: readonly Handler[], family: OsFamily, expected: readonly string[] = []): string {
  const token = `DOCKHAND_${randomBytes(12).toString('hex')}`;
  const steps = changes.map((change) => (change.after === null ? deleteFile(change) : writeFile(change, token)));
  return [
    PRELUDE,
    'section begin 1\n',
    ...steps,
    ...handlers.map((name) => handler(name, family, expected)),
    `section docker-active
systemctl is-active docker.service 2>/dev/null
section docker-info
if command -v timeout >/dev/null 2>&1; then timeout 20 docker info --format '{{json .}}' 2>/dev/null; else docker info --format '{{json .}}' 2>/dev/null; fi
section end
`,
  ].join('');
}
