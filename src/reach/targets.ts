/**
 * What the node's probes try, from the plays: each present registry's name, port (443 for https, 80 for a
 * plain-http one, or the registry's own), the pinned address where there is one, and the play's CA.
 */
import type { RegistrySpec } from '../playbook/types.ts';
import { hostName, hostPort } from '../registry/name.ts';

/** Seconds a probe may take to connect, and in all. The state read waits for them once, all at once. */
export const REACH_CONNECT_S = 3;
export const REACH_LIMIT_S = 5;

export interface ReachTarget {
  /** Its number in the script's variables (REACH_CA_ID). */
  readonly id: number;
  readonly registry: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** The pinned address, or null (the node resolves the name). */
  readonly address: string | null;
  /** The play's CA (PEM), or null. */
  readonly ca: string | null;
}

/** The probes for these registries: an insecure registry is tried over plain http, as containerd is told to reach it. */
export function reachTargets(registries: readonly RegistrySpec[]): ReachTarget[] {
  return registries
    .filter((r) => r.state === 'present')
    .map((r, index) => {
      const scheme = r.insecure ? 'http' : 'https';
      return {
        id: index + 1,
        registry: r.host,
        scheme,
        host: hostName(r.host).toLowerCase(),
        port: hostPort(r.host) ?? (scheme === 'https' ? 443 : 80),
        address: r.ip ?? null,
        ca: r.insecure ? null : (r.ca?.pem ?? null),
      } as const;
    });
}

/** The variables src/reach/reach.sh reads. */
export function reachVariables(targets: readonly ReachTarget[]): Record<string, string> {
  return {
    REACH_CONNECT: String(REACH_CONNECT_S),
    REACH_LIMIT: String(REACH_LIMIT_S),
    REACH_TARGETS: targets.map((t) => `${t.id} ${t.scheme} ${t.host} ${t.port} ${t.address ?? '-'}`).join('\n'),
    ...Object.fromEntries(targets.filter((t) => t.ca !== null).map((t) => [`REACH_CA_${t.id}`, t.ca!])),
  };
}
