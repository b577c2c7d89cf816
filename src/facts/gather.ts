/** Runs FACTS_SCRIPT on a node in one round trip and parses its output. */
import type { Connection } from '../connection/types.ts';
import { DockhandError } from '../errors.ts';
import { parseFacts } from './parse.ts';
import { FACTS_SCRIPT } from './script.ts';
import type { NodeFacts, OsFamily } from '../plan/facts.ts';

/** NodeFacts plus the OS family (null when unsupported; callers that act on the node use requireFamily). */
export type GatheredFacts = NodeFacts & { readonly family: OsFamily | null };

/** Gathers a node's facts as root; throws E_TIMEOUT or E_REMOTE when the script did not complete. */
export async function gatherFacts(connection: Connection, nodeName: string, timeoutMs = 60_000): Promise<GatheredFacts> {
  const result = await connection.run(FACTS_SCRIPT, { become: true, timeoutMs });
  if (result.timedOut) throw new DockhandError('E_TIMEOUT', `${nodeName}: gathering facts timed out after ${timeoutMs} ms`);
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new DockhandError('E_REMOTE', `${nodeName}: facts script exited ${result.exitCode ?? result.signal}${detail ? `: ${detail}` : ''}`);
  }
  const facts = parseFacts(result.stdout);
  return { ...facts, family: facts.os.family };
}
