/**
 * What a node is now, read in one round trip: its facts, the current bytes of every file dockhand
 * manages there, which installed anchors the trust bundle still lacks, and the transactions an
 * earlier run left unfinished.
 */
import type { Connection } from '../connection/types.ts';
import { DockhandError } from '../errors.ts';
import { factsScript } from '../facts/script.ts';
import { parseFacts } from '../facts/parse.ts';
import { requireFamily } from '../facts/os-release.ts';
import { parseSections } from '../formats/sections.ts';
import type { NodeFacts, OsFamily } from '../facts/types.ts';
import type { RuntimeSelection } from '../playbook/types.ts';
import { nodeScript } from '../node/scripts.ts';
import { sha256 } from '../node/transaction/bundle.ts';
import { CERTS_D_ROOT } from '../runtimes/docker/certs-d.ts';
import { DAEMON_JSON_PATH } from '../runtimes/docker/daemon-json.ts';
import { DOCKER_OPTIONS_PATH } from '../runtimes/docker/drop-in.ts';
import { HOSTS_PATH } from '../resources/hosts-file.ts';
import { DEBIAN_ANCHOR_ROOT, RHEL_ANCHOR_DIR, trustBundle } from '../resources/trust-store.ts';

/** An earlier run's transaction that began and has no outcome, while no worker holds the node lock. */
export interface UnfinishedTransaction {
  readonly runId: string;
  /** Its journal, one step a line (see worker.sh). */
  readonly journal: readonly string[];
}

/** One managed file as it is on the node. */
export interface ManagedFile {
  /** The content as text; null when the bytes are not UTF-8 (such a file is never edited). */
  readonly text: string | null;
  /** sha256 of the exact bytes: what the transaction compares before it writes. */
  readonly sha256: string;
}

export interface NodeState {
  readonly facts: NodeFacts;
  readonly family: OsFamily;
  /** Path -> each managed file that exists. */
  readonly files: ReadonlyMap<string, ManagedFile>;
  /** Installed anchors whose certificates the trust bundle lacks: an update is owed. */
  readonly trustMissing: readonly string[];
  /** A transaction is running on the node now (another run's worker holds the lock). */
  readonly lockHeld: boolean;
  readonly unfinished: readonly UnfinishedTransaction[];
}

const MANAGED_FILES = [
  HOSTS_PATH,
  DOCKER_OPTIONS_PATH,
  DAEMON_JSON_PATH,
  `${CERTS_D_ROOT}/*/ca.crt`,
  `${DEBIAN_ANCHOR_ROOT}/*/*.crt`,
  `${RHEL_ANCHOR_DIR}/dockhand-*.crt`,
];

/**
 * How much of containerd's facts a read needs: all of them where a play names containerd; where plays
 * leave the runtime to `auto`, only where containerd may be it (the node decides); none of its CRI state
 * where plays name Docker alone.
 */
export type ContainerdFacts = 'full' | 'auto' | 'brief';

export function containerdFactsFor(runtimes: RuntimeSelection): ContainerdFacts {
  if (runtimes === 'auto') return 'auto';
  return runtimes.includes('containerd') ? 'full' : 'brief';
}

/** The state-read script: the facts, then node-state.sh. */
export function nodeStateScript(containerd: ContainerdFacts = 'full'): string {
  return factsScript(nodeScript('converge/sh/node-state.sh'), {
    CONTAINERD_FACTS: containerd,
    MANAGED_FILES: MANAGED_FILES.join('\n'),
    DEBIAN_ANCHORS: `${DEBIAN_ANCHOR_ROOT}/*/*.crt`,
    RHEL_ANCHORS: `${RHEL_ANCHOR_DIR}/dockhand-*.crt`,
    DEBIAN_BUNDLE: trustBundle('debian'),
    RHEL_BUNDLE: trustBundle('rhel'),
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file as dockhand sees it: exact bytes hashed, text only when it is UTF-8. */
export function managedFile(bytes: Uint8Array): ManagedFile {
  let text: string | null;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = null;
  }
  return { text, sha256: sha256(bytes) };
}

/** Parse the output of nodeStateScript(). */
export function parseNodeState(stdout: string, nodeName: string): NodeState {
  const facts = parseFacts(stdout);
  const family = requireFamily(facts.os, nodeName);
  const sections = parseSections(stdout);
  const files = new Map<string, ManagedFile>();
  for (const section of sections) {
    if (section.name === 'managed-file' && section.arg) {
      files.set(section.arg, managedFile(Buffer.from(section.content.replace(/\s+/g, ''), 'base64')));
    }
  }
  const missing = sections.find((s) => s.name === 'trust-missing')?.content ?? '';
  const trustMissing = missing.split('\n').filter((line) => line.trim() !== '');
  const lockHeld = sections.find((s) => s.name === 'node-lock')?.content.trim() === 'held';
  const unfinished = lockHeld
    ? []
    : sections
        .filter((s) => s.name === 'unfinished' && s.arg)
        .map((s) => ({ runId: s.arg!, journal: s.content.split('\n').map((l) => l.trim()).filter(Boolean) }))
        .sort((a, b) => a.runId.localeCompare(b.runId));
  return { facts, family, files, trustMissing, lockHeld, unfinished };
}

/** Read a node's state as root; throws when the script did not complete. */
export async function readNodeState(connection: Connection, nodeName: string, containerd: ContainerdFacts = 'full'): Promise<NodeState> {
  const result = await connection.run(nodeStateScript(containerd), { become: true, timeoutMs: 60_000 });
  if (result.timedOut) throw new DockhandError('E_TIMEOUT', `${nodeName}: reading the node's state took longer than 60 s`);
  if (result.exitCode !== 0) {
    throw new DockhandError('E_REMOTE', `${nodeName}: reading the node's state failed (exit ${String(result.exitCode)}): ${result.stderr.trim().slice(-500)}`);
  }
  return parseNodeState(result.stdout, nodeName);
}
