/**
 * Which runtimes a node's plays configure: the ones a play names, or (`auto`) the one kubelet uses,
 * else Docker where it is installed, else containerd where its CRI plugin is enabled. A runtime the
 * plays do not ask for is never touched (Debian's docker.io brings a CRI-capable containerd that
 * must not be restarted by a play about Docker).
 */
import type { NodeFacts } from '../facts/types.ts';
import type { RuntimeName, RuntimeSelection } from '../playbook/types.ts';

export interface RuntimeChoice {
  readonly runtimes: readonly RuntimeName[];
  /** How the choice was made, for the report. */
  readonly reason: string;
  readonly blockers: readonly string[];
}

const NOT_INSTALLED: Record<RuntimeName, string> = {
  docker: 'Docker is not installed on this node',
  containerd: 'containerd is not installed on this node',
};

function installed(facts: NodeFacts, runtime: RuntimeName): boolean {
  return runtime === 'docker' ? facts.docker.installed : facts.containerd.installed;
}

export function selectRuntimes(facts: NodeFacts, selection: RuntimeSelection): RuntimeChoice {
  if (selection !== 'auto') {
    return { runtimes: selection, reason: 'named by the play', blockers: selection.filter((r) => !installed(facts, r)).map((r) => NOT_INSTALLED[r]) };
  }
  const kubelet = facts.kubelet;
  if (kubelet.runtime === 'docker' || kubelet.runtime === 'containerd') {
    const runtime = kubelet.runtime;
    return {
      runtimes: [runtime],
      reason: `kubelet uses it (${kubelet.endpoint ?? runtime}, in ${kubelet.source ?? 'its flags'})`,
      blockers: installed(facts, runtime) ? [] : [`kubelet uses ${runtime} (${kubelet.endpoint ?? ''}), but ${NOT_INSTALLED[runtime].charAt(0).toLowerCase()}${NOT_INSTALLED[runtime].slice(1)}`],
    };
  }
  if (kubelet.runtime === 'crio' || kubelet.runtime === 'other') {
    return {
      runtimes: [],
      reason: 'kubelet uses a runtime dockhand does not configure',
      blockers: [`kubelet uses ${kubelet.endpoint ?? 'another runtime'} (in ${kubelet.source ?? 'its flags'}), which dockhand does not configure yet (Docker and containerd only)`],
    };
  }
  if (facts.docker.installed) return { runtimes: ['docker'], reason: 'Docker is installed (no kubelet runtime found)', blockers: [] };
  if (facts.containerd.installed && !facts.containerd.config.criDisabled) {
    return { runtimes: ['containerd'], reason: 'containerd with its CRI plugin (no Docker, no kubelet runtime found)', blockers: [] };
  }
  return { runtimes: [], reason: 'no runtime found', blockers: ['Docker is not installed on this node, and neither is containerd with its CRI plugin'] };
}
