/** Turns the whole FACTS_SCRIPT output into NodeFacts. */
import { parseDockerFacts } from '../runtimes/docker/facts.ts';
import { parseOsRelease } from './os-release.ts';
import { parseContainerdFacts } from '../runtimes/containerd/facts.ts';
import { parseKubeletFacts } from './kubelet.ts';
import { parseCompleteSections, sectionContent } from '../formats/sections.ts';
import type { NodeFacts } from './types.ts';

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
  return {
    hostname: (sectionContent(sections, 'hostname') ?? '').trim(),
    os: parseOsRelease(sectionContent(sections, 'os-release') ?? ''),
    docker: parseDockerFacts(sections),
    containerd: parseContainerdFacts(sections, (name) => (commands.get(name) ?? '') !== ''),
    kubelet: parseKubeletFacts(sections),
    trust: {
      updateCaCertificates: (commands.get('update-ca-certificates') ?? '') !== '',
      updateCaTrust: (commands.get('update-ca-trust') ?? '') !== '',
    },
  };
}
