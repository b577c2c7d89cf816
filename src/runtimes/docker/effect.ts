/** What the running dockerd must show (`docker info`) for the registries to work. */
import type { DockerFacts } from './types.ts';
import { insecureKey, mirrorKey } from '../../registry/name.ts';

export interface RegistryEffect {
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
}


/** What the running daemon lacks of the wanted effect, as readable items ([] when all is in effect). */
export function missingEffect(docker: Pick<DockerFacts, 'running' | 'insecureRegistries' | 'registryMirrors'>, wanted: RegistryEffect): string[] {
  if (!docker.running) return ['dockerd is not running'];
  const insecure = new Set(docker.insecureRegistries.map(insecureKey));
  const mirrors = new Set(docker.registryMirrors.map(mirrorKey));
  return [
    ...wanted.insecureRegistries.filter((r) => !insecure.has(insecureKey(r))).map((r) => `insecure registry ${r}`),
    ...wanted.registryMirrors.filter((m) => !mirrors.has(mirrorKey(m))).map((m) => `registry mirror ${m}`),
  ];
}
