/**
 * The node's view of each registry, judged against its runtimes: which way each runtime sends the
 * registry's requests now and after this run (through its proxy where its NO_PROXY does not cover the
 * registry, by Go's rules), what the node saw that way, whether the certificate the registry serves is
 * signed by the play's CA, and what to say or refuse. Pure.
 */
import { X509Certificate } from 'node:crypto';
import type { RegistrySpec } from '../playbook/types.ts';
import { maskProxyUrl, type ProxyEnvironment } from '../registry/no-proxy.ts';
import { registryProxied } from '../resources/proxy.ts';
import type { ReachTarget } from './targets.ts';
import type { ProbeResult, ReachOutcome, RegistryProbe, ServedCertificate } from './types.ts';

/** A runtime configured on the node, with the proxy environment it runs with now and starts with after this run. */
export interface RuntimeProxies {
  readonly name: string;
  readonly now: ProxyEnvironment | null;
  readonly after: ProxyEnvironment | null;
}

export type ReachPath = 'direct' | 'proxy';

/** One registry as the node sees it, for the report. */
export interface RegistryReach {
  readonly registry: string;
  /** Where the direct try went: `ADDRESS:PORT` (the pin, or the name), and how. */
  readonly address: string;
  readonly scheme: 'http' | 'https';
  readonly direct: ProbeResult | null;
  /** Through each runtime's proxy (its URL, password masked). */
  readonly proxied: readonly { readonly runtime: string; readonly proxy: string; readonly result: ProbeResult }[];
  /** How each runtime sends the registry's requests, now and after this run. */
  readonly paths: readonly { readonly runtime: string; readonly now: ReachPath; readonly after: ReachPath }[];
  /** The outcome the way the runtimes go after this run (the worst of them), and why. */
  readonly outcome: ReachOutcome | 'untried';
  readonly detail: string;
  /** The chain the registry served, leaf first. */
  readonly served: readonly ServedCertificate[];
}

export interface ReachVerdict {
  readonly reach: readonly RegistryReach[];
  /** A registry whose certificate is not accepted with the play's CA: refuse the node, nothing changed. */
  readonly refusals: readonly string[];
  /** The registries the node cannot reach the way its runtimes will go, in words. */
  readonly unreachable: readonly string[];
}

/** The worse of two outcomes: the one a report leads with. */
const SEVERITY: readonly (ReachOutcome | 'untried')[] = ['reachable', 'untried', 'error', 'unresolved', 'unreachable', 'refused', 'timed-out', 'proxy', 'tls-error'];

const WORDS: Readonly<Record<ReachOutcome | 'untried', string>> = {
  reachable: 'reachable',
  untried: 'not tried',
  error: 'failed',
  unresolved: 'name not resolved',
  unreachable: 'no route',
  refused: 'refused',
  'timed-out': 'timed out',
  proxy: 'proxy in the way',
  'tls-error': 'TLS error',
};

/** The words for an outcome, as reports print it. */
export function outcomeWords(outcome: ReachOutcome | 'untried'): string {
  return WORDS[outcome];
}

function pathOf(proxy: ProxyEnvironment | null, registry: RegistrySpec): ReachPath {
  return proxy !== null && registryProxied(proxy, registry) ? 'proxy' : 'direct';
}

function subjectsOf(pem: string): string {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)]
    .map((m) => {
      try {
        return new X509Certificate(m[0]).subject.replaceAll('\n', ', ');
      } catch {
        return 'an unreadable certificate';
      }
    })
    .join('; ');
}

/** A served chain in words: each certificate's subject and issuer. */
export function chainWords(chain: readonly ServedCertificate[]): string {
  if (chain.length === 0) return 'its chain could not be read (openssl is not installed on the node, or the handshake ended first)';
  return chain.map((c) => `"${c.subject}" issued by "${c.issuer}"`).join(', then ');
}

/** The node's view of the present registries, and what it means for this run. */
export function judgeReach(registries: readonly RegistrySpec[], targets: readonly ReachTarget[], probes: readonly RegistryProbe[], runtimes: readonly RuntimeProxies[]): ReachVerdict {
  const reach: RegistryReach[] = [];
  const refusals: string[] = [];
  const unreachable: string[] = [];
  for (const target of targets) {
    const registry = registries.find((r) => r.host === target.registry && r.state === 'present');
    const probe = probes.find((p) => p.registry === target.registry);
    if (registry === undefined || probe === undefined) continue;
    const paths = runtimes.map((r) => ({ runtime: r.name, now: pathOf(r.now, registry), after: pathOf(r.after, registry) }));
    const resultAfter = (path: { runtime: string; after: ReachPath }): ProbeResult | null => (path.after === 'proxy' ? (probe.proxied[path.runtime] ?? null) : probe.direct);
    const results = (paths.length === 0 ? [probe.direct] : paths.map(resultAfter)).map((r) => r ?? { outcome: 'untried' as const, detail: 'the node has neither curl nor openssl' });
    const worst = results.reduce((a, b) => (SEVERITY.indexOf(b.outcome) > SEVERITY.indexOf(a.outcome) ? b : a));
    const where = `${target.address ?? target.host}:${target.port}`;
    reach.push({
      registry: target.registry,
      address: where,
      scheme: target.scheme,
      direct: probe.direct,
      proxied: runtimes.flatMap((r) => {
        const result = probe.proxied[r.name];
        const url = r.now === null ? null : target.scheme === 'https' ? r.now.httpsProxy : r.now.httpProxy;
        return result === undefined ? [] : [{ runtime: r.name, proxy: url === null ? '' : maskProxyUrl(url), result }];
      }),
      paths,
      outcome: worst.outcome,
      detail: worst.detail,
      served: probe.chain,
    });
    if (worst.outcome !== 'reachable' && worst.outcome !== 'untried') {
      const way = paths.some((p) => p.after === 'proxy') ? ' through the proxy' : ` at ${where}`;
      unreachable.push(`cannot reach ${target.registry}${way} (${target.scheme}): ${outcomeWords(worst.outcome)}: ${worst.detail}`);
    }
    // the play's CA must sign what the registry serves: judged on the first try that got a TLS answer
    if (target.ca !== null) {
      const tls = [probe.direct, ...Object.values(probe.proxied)].find((r) => r !== null && (r.outcome === 'reachable' || r.outcome === 'tls-error'));
      if (tls?.outcome === 'tls-error') {
        refusals.push(
          `${target.registry} serves a certificate the play's CA does not accept: ${chainWords(probe.chain)}; the play's CA (${registry.ca?.file ?? 'ca'}): ` +
            `${subjectsOf(target.ca)}; the node's TLS check says: ${tls.detail}. Nothing was written: give the CA that signed the registry's certificate ` +
            '(a bundle of the old and the new CA while it is being replaced)',
        );
      }
    }
  }
  return { reach, refusals, unreachable };
}

