/** Shell on lab nodes and what a dockhand run said, for integration tests. */
import { nodeExec, type LabNode } from '../lab/lab.ts';
import type { CliRun } from './cli.ts';

/** `sh -c SCRIPT` on the node (as root, through docker exec); never throws on a non-zero exit. */
export const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);

/** `sh -c SCRIPT` on the node; its stdout, or an error naming the node, the script and what it printed. */
export async function must(node: LabNode, script: string, input?: string): Promise<string> {
  const result = await sh(node, script, input);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

/** A run's exit code and output, for an assertion's message. */
export const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
