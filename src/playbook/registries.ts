/**
 * The registries of a playbook once read: what each entry asks for, and the checks that span entries
 * (a registry twice in a play, one registry declared two ways, one name pinned to two addresses).
 */
import type { IssueSink } from './issue-sink.ts';
import { formatValue, type DocPath } from './locate.ts';
import type { RawMirror, RawRegistry } from './schema.ts';
import type { RegistryMirror, RegistrySpec } from './types.ts';
import { pinnedName, registryKey } from '../registry/name.ts';

/** One registry entry as read, with its CA files once loaded. */
export interface LoadedRegistry {
  readonly index: number;
  readonly raw: RawRegistry;
  readonly path: DocPath;
  /** The whole entry is valid (else only its valid fields are in `raw`). */
  readonly valid: boolean;
  /** For an entry that is not valid: whether its host is. */
  readonly hostValid?: boolean;
  /** The CA, when one is given and could be read and parsed. */
  ca?: { file: string; pem: string };
  caFailed?: boolean;
  /** The CAs of its mirrors, by index in `mirrors`. */
  readonly mirrorCas: Map<number, { file: string; pem: string }>;
}

export type { IssueSink };

export function spec(registry: LoadedRegistry): RegistrySpec {
  const raw = registry.raw;
  if (raw.state === 'absent') return { host: raw.host, ip: undefined, insecure: false, ca: undefined, state: 'absent' };
  const verify = raw.verify
    ? { image: raw.verify.image, usernameEnv: raw.verify.username_env ?? undefined, passwordEnv: raw.verify.password_env ?? undefined }
    : undefined;
  const mirrors = (raw.mirrors ?? []).map((mirror, index) => mirrorSpec(mirror, registry.mirrorCas.get(index)));
  return {
    host: raw.host, ip: raw.ip ?? undefined, insecure: raw.insecure ?? false, ca: registry.ca, state: 'present',
    ...(verify ? { verify } : {}),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}

function mirrorSpec(raw: RawMirror, ca: { file: string; pem: string } | undefined): RegistryMirror {
  if (typeof raw === 'string') return { url: raw, capabilities: ['pull', 'resolve'], skipVerify: false, ca: undefined };
  return { url: raw.url, capabilities: raw.capabilities ?? ['pull', 'resolve'], skipVerify: raw.skip_verify ?? false, ca };
}

/** A registry twice in one play. */
export function checkDuplicates(registries: readonly LoadedRegistry[], sink: IssueSink): void {
  const seen = new Map<string, LoadedRegistry>();
  for (const registry of registries) {
    if (!registry.valid && registry.hostValid !== true) continue;
    const key = registryKey(registry.raw.host);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, registry);
      continue;
    }
    sink.add([...registry.path, 'host'], `${formatValue(registry.raw.host)} is declared twice in this play: also at ${sink.where(first.path)}`);
  }
}

/**
 * The same registry in two plays must be declared the same way where a node is in both: it would
 * flip-flop between them. Each declaration is compared with the first of every earlier play.
 */
export function checkAcrossPlays(registriesByPlay: readonly (readonly LoadedRegistry[])[], sink: IssueSink): void {
  const declared = new Map<string, LoadedRegistry[]>();
  for (const registries of registriesByPlay) {
    const inThisPlay = new Set<string>();
    for (const registry of registries) {
      if (!registry.valid) continue;
      const key = registryKey(registry.raw.host);
      if (inThisPlay.has(key)) continue; // reported as a duplicate already
      inThisPlay.add(key);
      const earlier = declared.get(key) ?? [];
      for (const other of earlier) {
        const differences = differ(other, registry);
        if (differences.length > 0) {
          sink.disagree(
            [...registry.path, 'host'],
            other.path,
            `${formatValue(registry.raw.host)} is also declared at ${sink.where(other.path)} with different settings: ${differences.join(', ')}`,
          );
        }
      }
      declared.set(key, [...earlier, registry]);
    }
  }
}

/**
 * One name, one address: /etc/hosts pins a name, not a port, so `harbor.local:5000` pinned to one
 * address and `harbor.local:443` to another would flip /etc/hosts between them on a node that gets
 * both (in one play, or in two plays that share the node).
 */
export function checkPins(registriesByPlay: readonly (readonly LoadedRegistry[])[], sink: IssueSink): void {
  const pins = new Map<string, LoadedRegistry[]>();
  for (const registry of registriesByPlay.flat()) {
    const ip = registry.raw.ip ?? undefined;
    if (!registry.valid || (registry.raw.state ?? 'present') === 'absent' || ip === undefined) continue;
    const name = pinnedName(registry.raw.host);
    const earlier = pins.get(name) ?? [];
    const reported = new Set<number>();
    for (const other of earlier) {
      const otherIp = other.raw.ip ?? '';
      const play = sink.playOf(other.path);
      if (reported.has(play) || registryKey(other.raw.host) === registryKey(registry.raw.host) || sameAddress(otherIp, ip)) continue;
      reported.add(play);
      sink.disagree(
        [...registry.path, 'ip'],
        other.path,
        `${formatValue(ip)} pins the name ${name} (of ${registry.raw.host}), which ${sink.where(other.path)} pins to ${otherIp} (for ${other.raw.host}): ` +
          '/etc/hosts gives a name one address; give both the same ip',
      );
    }
    // refused already in its own play: not a pin later entries are compared with
    if (!reported.has(sink.playOf(registry.path))) pins.set(name, [...earlier, registry]);
  }
}

function sameAddress(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (!a.includes(':') || !b.includes(':')) return false;
  // IPv6 written two ways (fd00::1, FD00:0::1): compare the URL parser's canonical form
  const canonical = (ip: string) => new URL(`http://[${ip}]/`).hostname;
  return canonical(a) === canonical(b);
}

/** How two declarations of one registry differ, for a message; empty when they agree. */
function differ(a: LoadedRegistry, b: LoadedRegistry): string[] {
  const stateA = a.raw.state ?? 'present';
  const stateB = b.raw.state ?? 'present';
  if (stateA !== stateB) return [`state ${JSON.stringify(stateA)} vs ${JSON.stringify(stateB)}`];
  if (stateA === 'absent') return [];
  const out: string[] = [];
  const ipA = a.raw.ip ?? undefined;
  const ipB = b.raw.ip ?? undefined;
  if (ipA !== ipB) out.push(`ip ${formatValue(ipA ?? null)} vs ${formatValue(ipB ?? null)}`);
  const insecureA = a.raw.insecure ?? false;
  const insecureB = b.raw.insecure ?? false;
  if (insecureA !== insecureB) out.push(`insecure ${String(insecureA)} vs ${String(insecureB)}`);
  if (!a.caFailed && !b.caFailed && a.ca?.pem !== b.ca?.pem) {
    out.push(`ca ${formatValue(a.raw.ca ?? null)} vs ${formatValue(b.raw.ca ?? null)} (different certificates)`);
  }
  const mirrors = (r: LoadedRegistry) => JSON.stringify((r.raw.mirrors ?? []).map((m, i) => ({ ...mirrorSpec(m, undefined), ca: r.mirrorCas.get(i)?.pem })));
  if (mirrors(a) !== mirrors(b)) out.push('mirrors differ');
  return out;
}
