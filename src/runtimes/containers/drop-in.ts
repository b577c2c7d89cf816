/**
 * dockhand's drop-ins in /etc/containers/registries.conf.d: one per registry, named
 * `zz-dockhand-HOST.conf` so that it sorts after the drop-ins of packages and administrators (later files
 * win for a prefix), each carrying the whole entry for its prefix (a drop-in replaces the table, not
 * fields of it): the fields an earlier file set for that prefix, with the play's settings on top.
 */
import { registryKey } from '../../registry/name.ts';
import { fileSafe } from '../../resources/trust-store.ts';
import type { RegistryMirror } from '../../playbook/types.ts';
import { DROP_IN_DIR, fileName, mergeRegistries, readRegistriesFile, renderDropIn, type MergedEntry, type MirrorEndpoint, type RegistriesFile, type RegistryEntry } from './registries-conf.ts';

const DROP_IN_PREFIX = 'zz-dockhand-';

/** The prefix a registry host has in registries.conf: as image references write it, lower case (Docker Hub is `docker.io`). */
export function registryPrefix(host: string): string {
  const key = registryKey(host);
  return key === 'index.docker.io' || key === 'registry-1.docker.io' ? 'docker.io' : key;
}

/** dockhand's drop-in for a prefix. */
export function dropInPath(prefix: string): string {
  return `${DROP_IN_DIR}/${DROP_IN_PREFIX}${fileSafe(prefix)}.conf`;
}

/** Every drop-in of dockhand's, as a glob. */
export const DROP_IN_GLOB = `${DROP_IN_DIR}/${DROP_IN_PREFIX}*.conf`;

/** Whether a path has the name of one of dockhand's drop-ins. */
export function hasDropInName(path: string): boolean {
  return path.startsWith(`${DROP_IN_DIR}/${DROP_IN_PREFIX}`) && path.endsWith('.conf');
}

/** A mirror URL of a play (`https://mirror.local:5000/path`) as a mirror table: no scheme; plain http or skip_verify is insecure. */
export function mirrorEndpoint(url: string, skipVerify = false): MirrorEndpoint {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  return { location: `${parsed.host.toLowerCase()}${path}`, insecure: parsed.protocol === 'http:' || skipVerify, pullFromMirror: null };
}

export function playMirror(mirror: RegistryMirror): MirrorEndpoint {
  return mirrorEndpoint(mirror.url, mirror.skipVerify);
}

/** How containers/image orders the drop-ins: by name, byte by byte. */
function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** What the plays ask of one prefix. */
export interface WantedEntry {
  readonly prefix: string;
  readonly insecure: boolean;
  /** Tried in this order, before any mirror an earlier file gives. */
  readonly mirrors: readonly MirrorEndpoint[];
}

/** dockhand's drop-in for one prefix, or why it cannot take effect. */
export type PlannedDropIn =
  | { readonly path: string; readonly text: string; readonly entry: RegistryEntry; readonly carried: MergedEntry | undefined }
  | { readonly path: string; readonly blocker: string };

/**
 * The drop-in for `wanted`: the entry in effect for its prefix from the main file and the drop-ins that
 * sort before dockhand's (none of dockhand's own), with the play's settings on top. A drop-in of someone
 * else's that sorts after it and sets the same prefix would replace it: that is a blocker, and so is a
 * prefix an earlier file blocks.
 */
export function planDropIn(wanted: WantedEntry, main: RegistriesFile | null, dropIns: readonly RegistriesFile[]): PlannedDropIn {
  const path = dropInPath(wanted.prefix);
  const name = fileName(path);
  const others = dropIns.filter((file) => !hasDropInName(file.path));
  const later = others.find((file) => byName(fileName(file.path), name) > 0 && file.entries.some((e) => e.prefix === wanted.prefix));
  if (later !== undefined) {
    return {
      path,
      blocker: `${later.path} sorts after ${path} and sets prefix ${wanted.prefix}, so it would replace dockhand's entry (a drop-in replaces the whole table of its prefix): take ${wanted.prefix} out of it, or rename it to sort before ${name}, then run again`,
    };
  }
  const earlier = others.filter((file) => byName(fileName(file.path), name) < 0).sort((a, b) => byName(fileName(a.path), fileName(b.path)));
  const carried = mergeRegistries([...(main === null ? [] : [main]), ...earlier]).get(wanted.prefix);
  const base = carried?.entry;
  if (base?.blocked === true) {
    return { path, blocker: `${carried!.file} blocks registry ${wanted.prefix} (blocked = true): dockhand does not unblock a registry; remove that setting, then run again` };
  }
  const entry: RegistryEntry = {
    prefix: wanted.prefix,
    location: base?.location || wanted.prefix,
    insecure: wanted.insecure || base?.insecure === true,
    blocked: false,
    mirrorByDigestOnly: base?.mirrorByDigestOnly === true,
    mirrors: [...wanted.mirrors, ...(base?.mirrors ?? []).filter((m) => !wanted.mirrors.some((w) => w.location === m.location))],
  };
  const comments = [`registry ${wanted.prefix}${carried === undefined ? '' : `; the rest of the entry as ${carried.file} has it`}`];
  const text = renderDropIn(entry, comments);
  // read back what was written: it must mean exactly the entry
  const reread = readRegistriesFile(path, text);
  if (reread.error !== null || reread.entries.length !== 1 || JSON.stringify(reread.entries[0]) !== JSON.stringify(entry)) {
    throw new Error(`the drop-in for ${wanted.prefix} does not read back as written: ${reread.error ?? JSON.stringify(reread.entries)}`);
  }
  return { path, text, entry, carried };
}
