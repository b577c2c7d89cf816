/**
 * What a node is now, read in one round trip: its facts, the current bytes of every file dockhand
 * manages there (the host's and each runtime's), which installed anchors the trust bundle still lacks,
 * and the transactions an earlier run left unfinished.
 */
import type { Connection } from '../connection/types.ts';
import { DockhandError } from '../errors.ts';
import { factsScript } from '../facts/script.ts';
import { parseFacts } from '../facts/parse.ts';
import { requireFamily } from '../facts/os-release.ts';
import { parseSections, type Section } from '../formats/sections.ts';
import { nodeScript } from '../node/scripts.ts';
import { managedFile, type ManagedFile, type NodeState } from '../plan/node-state.ts';
import type { RegistrySpec, RuntimeSelection } from '../playbook/types.ts';
import { parseReach } from '../reach/parse.ts';
import { reachTargets, reachVariables } from '../reach/targets.ts';
import { HOSTS_PATH } from '../resources/hosts-file.ts';
import { DEBIAN_ANCHOR_ROOT, RHEL_ANCHOR_DIR, trustBundle } from '../resources/trust-store.ts';
import { RUNTIMES } from '../runtimes/index.ts';

export type { ManagedFile, NodeState, UnfinishedTransaction } from '../plan/node-state.ts';
export { managedFile } from '../plan/node-state.ts';

/** How many reads in a row may find the managed files changing under them before the node is given up. */
const TORN_READS = 3;

const MANAGED_FILES = [
  HOSTS_PATH,
  `${DEBIAN_ANCHOR_ROOT}/*/*.crt`,
  `${RHEL_ANCHOR_DIR}/dockhand-*.crt`,
  ...RUNTIMES.flatMap((r) => r.managedFiles),
];

/**
 * `kept`: a running daemon's answer may come from what its last probe kept on the node, where the daemon
 * and its configuration are the same since (a scheduled check then asks no daemon); `fresh`: every probe is made.
 */
export type StateRead = 'kept' | 'fresh';

/**
 * The state-read script: the facts (in full for the runtimes the plays name), then node-state.sh, then the
 * node's own view of the registries (src/reach/reach.sh).
 */
export function nodeStateScript(runtimes: RuntimeSelection = 'auto', registries: readonly RegistrySpec[] = [], read: StateRead = 'kept'): string {
  return factsScript(
    nodeScript('converge/sh/node-state.sh') + nodeScript('reach/reach.sh'),
    {
      ...reachVariables(reachTargets(registries)),
      MANAGED_FILES: MANAGED_FILES.join('\n'),
      DEBIAN_ANCHORS: `${DEBIAN_ANCHOR_ROOT}/*/*.crt`,
      RHEL_ANCHORS: `${RHEL_ANCHOR_DIR}/dockhand-*.crt`,
      DEBIAN_BUNDLE: trustBundle('debian'),
      RHEL_BUNDLE: trustBundle('rhel'),
      PROBE_CACHE: read === 'kept' ? 'use' : 'fresh',
    },
    runtimes,
  );
}

/** Parse the output of nodeStateScript(). */
export function parseNodeState(stdout: string, nodeName: string, registries: readonly RegistrySpec[] = []): NodeState {
  const facts = parseFacts(stdout);
  const family = requireFamily(facts.os, nodeName);
  const sections = parseSections(stdout);
  const files = readManagedFiles(sections, nodeName);
  const missing = sections.find((s) => s.name === 'trust-missing')?.content ?? '';
  const trustMissing = missing.split('\n').filter((line) => line.trim() !== '');
  const links = new Set(sections.filter((s) => s.name === 'managed-link' && s.arg).map((s) => s.arg!));
  const ledger = sections.find((s) => s.name === 'ledger')?.content ?? '';
  const created = new Set(ledger.split('\n').filter((line) => line.startsWith('file ')).map((line) => line.slice('file '.length).trim()));
  const failedChanges = new Map(
    sections
      .filter((s) => s.name === 'failed-change' && s.arg)
      .map((s) => {
        const [at = '', runId = '', ...reason] = s.content.trim().split(' ');
        return [s.arg!, { at, runId, reason: reason.join(' ') }] as const;
      }),
  );
  const lockHeld = sections.find((s) => s.name === 'node-lock')?.content.trim() === 'held';
  const unfinished = lockHeld
    ? []
    : sections
        .filter((s) => s.name === 'unfinished' && s.arg)
        .map((s) => ({ runId: s.arg!, journal: s.content.split('\n').map((l) => l.trim()).filter(Boolean) }))
        .sort((a, b) => a.runId.localeCompare(b.runId));
  const probesKept = sections.filter((s) => s.name === 'probe-kept' && s.arg).map((s) => s.arg!);
  return {
    facts, family, files, links, created, failedChanges, trustMissing, lockHeld, unfinished,
    reach: parseReach(sections, reachTargets(registries)),
    ...(probesKept.length > 0 ? { probesKept } : {}),
  };
}

/** A state read whose managed files changed between their sizes and their bytes: read the node again. */
export class TornRead extends Error {}

/**
 * The managed files' bytes: `managed-files` (`SIZE PATH` a line) and `managed-bytes` (every file's bytes
 * in that order, base64), or one `managed-file PATH` section each (a node without `stat`).
 */
export function readManagedFiles(sections: readonly Section[], nodeName: string): Map<string, ManagedFile> {
  const files = new Map<string, ManagedFile>();
  for (const section of sections) {
    if (section.name === 'managed-file' && section.arg) {
      files.set(section.arg, managedFile(Buffer.from(section.content.replace(/\s+/g, ''), 'base64')));
    }
  }
  const list = sections.find((s) => s.name === 'managed-files');
  if (list === undefined) return files;
  const bytes = Buffer.from((sections.find((s) => s.name === 'managed-bytes')?.content ?? '').replace(/\s+/g, ''), 'base64');
  let at = 0;
  for (const line of list.content.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    const size = Number(line.slice(0, space));
    if (space < 1 || !Number.isSafeInteger(size) || size < 0) throw new DockhandError('E_REMOTE', `${nodeName}: the state read listed a managed file as "${line}"`);
    if (at + size > bytes.length) throw new TornRead(`${nodeName}: the managed files changed while they were read`);
    files.set(line.slice(space + 1), managedFile(bytes.subarray(at, at + size)));
    at += size;
  }
  if (at !== bytes.length) throw new TornRead(`${nodeName}: the managed files changed while they were read`);
  return files;
}

/** Read a node's state as root; throws when the script did not complete. */
export async function readNodeState(
  connection: Connection,
  nodeName: string,
  runtimes: RuntimeSelection = 'auto',
  registries: readonly RegistrySpec[] = [],
  read: StateRead = 'kept',
): Promise<NodeState> {
  const script = nodeStateScript(runtimes, registries, read);
  for (let attempt = 1; ; attempt += 1) {
    const result = await connection.run(script, { become: true, timeoutMs: 60_000 });
    if (result.timedOut) throw new DockhandError('E_TIMEOUT', `${nodeName}: reading the node's state took longer than 60 s`);
    if (result.exitCode !== 0) {
      throw new DockhandError('E_REMOTE', `${nodeName}: reading the node's state failed (exit ${String(result.exitCode)}): ${result.stderr.trim().slice(-500)}`);
    }
    try {
      return parseNodeState(result.stdout, nodeName, registries);
    } catch (error) {
      // a file written while it was read: read again (another run's transaction, an administrator)
      if (!(error instanceof TornRead)) throw error;
      if (attempt >= TORN_READS) throw new DockhandError('E_REMOTE', `${error.message}, ${TORN_READS} times in a row`);
    }
  }
}
