/**
 * The node's own view of its registries in words, for the text report and JUnit: where the probes went,
 * what came back, which runtime goes through its proxy now and whether it goes direct after the run, and
 * how long the certificate the registry serves is valid.
 */
import { outcomeWords, type RegistryReach } from '../reach/judge.ts';

/** Whether a registry's line says something an operator must read (a failed try, a proxy in the way). */
export function reachNotable(reach: RegistryReach): boolean {
  return reach.outcome !== 'reachable' || reach.paths.some((p) => p.now === 'proxy' || p.after === 'proxy');
}

/** One line about one registry; `planned`: the run changed nothing (check, or a node left as it was). */
export function reachLine(reach: RegistryReach, planned: boolean): string {
  const parts = [`${reach.registry} (${reach.scheme}, ${reach.address}): ${outcomeWords(reach.outcome)}${reach.detail === '' ? '' : ` (${reach.detail})`}`];
  for (const path of reach.paths) {
    const proxied = reach.proxied.find((p) => p.runtime === path.runtime);
    if (path.now === 'proxy') {
      const seen = proxied === undefined ? 'not tried' : `${outcomeWords(proxied.result.outcome)}: ${proxied.result.detail}`;
      const after = path.after === 'direct' ? `; ${planned ? 'it would go direct after apply' : 'it goes direct after this run'}` : '';
      parts.push(`${path.runtime} goes through its proxy ${proxied?.proxy ?? ''} now (${seen})${after}`);
    } else if (path.after === 'proxy') {
      parts.push(`${path.runtime} goes through its proxy${planned ? '' : ' after this run'}`);
    }
  }
  const leaf = reach.served[0];
  if (leaf !== undefined) parts.push(`serves "${leaf.subject}" until ${leaf.expires.slice(0, 10)}`);
  return parts.join('; ');
}

/** The registry of a report subject (`registry HOST`), if the node has a view of it. */
export function reachOfSubject(reach: readonly RegistryReach[], subject: string): RegistryReach | undefined {
  if (!subject.startsWith('registry ') || subject.startsWith('registry mirror ')) return undefined;
  const host = subject.slice('registry '.length).toLowerCase();
  return reach.find((r) => r.registry.toLowerCase() === host);
}
