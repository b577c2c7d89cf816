/**
 * What a node is now, read in one round trip: its facts, the current content of every file
 * dockhand manages there, and which installed anchors the trust bundle still lacks.
 */
import type { Connection } from '../connection/types.ts';
import { DockhandError } from '../errors.ts';
import { factsScript } from '../facts/script.ts';
import { parseFacts } from '../facts/parse.ts';
import { requireFamily } from '../facts/os-release.ts';
import { parseSections } from '../facts/sections.ts';
import type { NodeFacts, OsFamily } from '../facts/types.ts';
import { CERTS_D_ROOT } from '../resources/certs-d.ts';
import { DAEMON_JSON_PATH } from '../resources/daemon-json.ts';
import { DOCKER_OPTIONS_PATH } from '../resources/docker-options.ts';
import { HOSTS_PATH } from '../resources/hosts-file.ts';
import { PENDING_PATH } from './apply-script.ts';
import { HANDLER_ORDER, type Handler } from './types.ts';
import { DEBIAN_ANCHOR_ROOT, RHEL_ANCHOR_DIR, trustBundle } from '../resources/trust-store.ts';

export interface NodeState {
  readonly facts: NodeFacts;
  readonly family: OsFamily;
  /** Path -> content of each managed file that exists. */
  readonly files: ReadonlyMap<string, string>;
  /** Installed anchors whose certificates the trust bundle lacks: an update is owed. */
  readonly trustMissing: readonly string[];
  /** Handlers an earlier run recorded as owed and did not finish (it died, or lost its node). */
  readonly pendingHandlers: readonly Handler[];
}

const MANAGED_FILES = [HOSTS_PATH, DOCKER_OPTIONS_PATH, DAEMON_JSON_PATH];
const MANAGED_GLOBS = [`${CERTS_D_ROOT}/*/ca.crt`, `${DEBIAN_ANCHOR_ROOT}/*/*.crt`, `${RHEL_ANCHOR_DIR}/dockhand-*.crt`];

/** Sh run after the facts: dumps managed files (base64, byte-exact) and checks anchors against the bundle. */
export const MANAGED_STATE_SCRIPT = `
for f in ${MANAGED_FILES.join(' ')} ${MANAGED_GLOBS.join(' ')}; do
  if [ -f "$f" ]; then section managed-file "$f"; base64 < "$f"; fi
done
if [ -f ${PENDING_PATH} ]; then section pending; cat ${PENDING_PATH}; fi
section trust-missing
for a in ${DEBIAN_ANCHOR_ROOT}/*/*.crt ${RHEL_ANCHOR_DIR}/dockhand-*.crt; do
  [ -f "$a" ] || continue
  case "$a" in ${RHEL_ANCHOR_DIR}/*) b=${trustBundle('rhel')} ;; *) b=${trustBundle('debian')} ;; esac
  sed -n '/-----BEGIN CERTIFICATE-----/{n;p;}' "$a" | while IFS= read -r l; do
    if ! grep -qxF -- "$l" "$b" 2>/dev/null; then printf '%s\\n' "$a"; break; fi
  done
done
`;

/** Parse the output of factsScript(MANAGED_STATE_SCRIPT). */
export function parseNodeState(stdout: string, nodeName: string): NodeState {
  const facts = parseFacts(stdout);
  const family = requireFamily(facts.os, nodeName);
  const sections = parseSections(stdout);
  const files = new Map<string, string>();
  for (const section of sections) {
    if (section.name === 'managed-file' && section.arg) {
      files.set(section.arg, Buffer.from(section.content.replace(/\s+/g, ''), 'base64').toString('utf8'));
    }
  }
  const missing = sections.find((s) => s.name === 'trust-missing')?.content ?? '';
  const trustMissing = missing.split('\n').filter((line) => line.trim() !== '');
  const pending = sections.find((s) => s.name === 'pending')?.content ?? '';
  const pendingHandlers = HANDLER_ORDER.filter((h) => pending.split('\n').map((l) => l.trim()).includes(h));
  return { facts, family, files, trustMissing, pendingHandlers };
}

/** Read a node's state as root; throws when the script did not complete. */
export async function readNodeState(connection: Connection, nodeName: string): Promise<NodeState> {
  const result = await connection.run(factsScript(MANAGED_STATE_SCRIPT), { become: true, timeoutMs: 60_000 });
  if (result.timedOut) throw new DockhandError('E_TIMEOUT', `${nodeName}: reading the node's state took longer than 60 s`);
  if (result.exitCode !== 0) {
    throw new DockhandError('E_REMOTE', `${nodeName}: reading the node's state failed (exit ${String(result.exitCode)}): ${result.stderr.trim().slice(-500)}`);
  }
  return parseNodeState(result.stdout, nodeName);
}
