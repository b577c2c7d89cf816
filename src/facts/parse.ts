/** Turns the whole FACTS_SCRIPT output into NodeFacts: the host's own, then each runtime's parser. */
import { parseCompleteSections, sectionContent } from '../formats/sections.ts';
import type { NodeFacts } from '../plan/facts.ts';
import { RUNTIMES } from '../runtimes/index.ts';
import { parseKubeletFacts } from './kubelet.ts';
import { parseOsRelease } from './os-release.ts';

/** `name=path` lines of the `commands` section → name → path (empty path: not installed). */
export function parseCommands(text: string | null): Map<string, string> {
  const commands = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) commands.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return commands;
}

/** Parses FACTS_SCRIPT stdout; throws E_REMOTE when the output is not (complete) facts output. */
export function parseFacts(stdout: string): NodeFacts {
  const sections = parseCompleteSections(stdout);
  const commands = parseCommands(sectionContent(sections, 'commands'));
  const host = { hasCommand: (name: string) => (commands.get(name) ?? '') !== '' };
  return {
    hostname: (sectionContent(sections, 'hostname') ?? '').trim(),
    os: parseOsRelease(sectionContent(sections, 'os-release') ?? ''),
    kubelet: parseKubeletFacts(sections),
    trust: {
      updateCaCertificates: host.hasCommand('update-ca-certificates'),
      updateCaTrust: host.hasCommand('update-ca-trust'),
    },
    runtimes: Object.fromEntries(RUNTIMES.map((runtime) => [runtime.name, runtime.facts.parse(sections, host)])),
  };
}
