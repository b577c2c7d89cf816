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

export function selectRuntimes(facts: NodeFacts, selection: RuntimeSelection): RuntimeChoice {
  if (selection !== 'auto') return { runtimes: selection, reason: 'named by the play', blockers: [] };
  if (facts.docker.installed) return { runtimes: ['docker'], reason: 'Docker is installed', blockers: [] };
  return { runtimes: [], reason: 'no runtime found', blockers: ['Docker is not installed on this node, and neither is containerd with its CRI plugin'] };
}
