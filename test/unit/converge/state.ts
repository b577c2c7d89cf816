/** Build a node's state for planning tests from a golden facts fixture and managed file contents. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { managedFile, type NodeState } from '../../../src/converge/node-state.ts';
import type { DesiredState } from '../../../src/plan/types.ts';
import type { NodePlan } from '../../../src/converge/plan.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { parseFacts } from '../../../src/facts/parse.ts';
import { requireFamily } from '../../../src/facts/os-release.ts';
import { parseSections } from '../../../src/formats/sections.ts';
import type { DockerFacts } from '../../../src/runtimes/docker/types.ts';

export const CA = readFileSync(join(import.meta.dirname, 'fixtures', 'ca.crt'), 'utf8');

function fixtureOutput(name: string): string {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'facts', 'fixtures', 'facts', `${name}.json`), 'utf8')) as { output: string[] };
  return json.output.join('\n');
}

/** The drop-in files a fixture shows, as managed files. */
export function fixtureDropIns(name: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const section of parseSections(fixtureOutput(name))) if (section.name === 'drop-in' && section.arg) files.set(section.arg, section.content);
  return files;
}

/** How registry options reach Docker in a plan (null: Docker not planned, or asked nothing). */
export function mechanismOf(plan: NodePlan): string | null {
  return plan.runtimePlans.find((p) => p.runtime === 'docker')?.mechanism ?? null;
}

/** The Docker facts a parsed fixture holds. */
export function dockerOf(facts: NodeState['facts']): DockerFacts {
  return facts.runtimes['docker'] as DockerFacts;
}

export function stateFrom(
  fixture: string,
  files: Record<string, string> | Map<string, string> = {},
  options: { trustMissing?: string[]; docker?: Partial<DockerFacts>; created?: string[] } = {},
): NodeState {
  const facts = parseFacts(fixtureOutput(fixture));
  return {
    facts: { ...facts, runtimes: { ...facts.runtimes, docker: { ...dockerOf(facts), ...options.docker } } },
    family: requireFamily(facts.os, 'node'),
    files: new Map([...(files instanceof Map ? files : new Map(Object.entries(files)))].map(([path, text]) => [path, managedFile(Buffer.from(text, 'utf8'))])),
    links: new Set(),
    created: new Set(options.created ?? []),
    failedChanges: new Map(),
    trustMissing: options.trustMissing ?? [],
    lockHeld: false,
    unfinished: [],
  };
}

/** The desired state of plays asking for these registries (restarts always allowed, unless `extra` says). */
export function desired(registries: RegistrySpec[], extra: Partial<DesiredState> = {}): DesiredState {
  return {
    registries,
    insecureRegistries: registries.filter((r) => r.insecure && r.state === 'present').map((r) => r.host),
    registryMirrors: [],
    retiredInsecureRegistries: registries.filter((r) => r.state === 'absent').map((r) => r.host),
    retiredRegistryMirrors: [],
    dockerConfig: 'auto',
    runtimes: 'auto',
    restart: 'always',
    retryFailed: false,
    liveRestore: 'keep',
    ...extra,
  };
}
