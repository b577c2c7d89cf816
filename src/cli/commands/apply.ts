import { desiredStates } from '../../converge/desired.ts';
import { pullCredentials, requirePullCredentials } from '../../converge/pull-check.ts';
import { convergeNode, type Mode, type NodeConvergence } from '../../converge/converge-node.ts';
import { loadInventory, resolveTarget, selectHosts } from '../../inventory/index.ts';
import { loadPlaybook } from '../../playbook/index.ts';
import type { Playbook, SerialStep } from '../../playbook/types.ts';
import { convergeDocument, renderConvergeText } from '../../report/converge.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode, type NodeOutcome } from '../../run/fleet.ts';
import { ExitCode, exitCodeFor } from '../exit-codes.ts';
import { connectionSettings, connectorFor, outputFor, type NodeOptions } from '../options.ts';
import { requireSelection, warnIfSecretsExposed } from '../targets.ts';
import type { Output } from '../../report/output.ts';

export interface ApplyOptions extends NodeOptions {
  readonly check: boolean;
  readonly diff: boolean;
  /** --serial, overriding the plays' serial. */
  readonly serial?: SerialStep[] | undefined;
  readonly maxFailPercentage?: number | undefined;
}

/** The first play that sets it decides, unless the command line does. */
function rollout(playbook: Playbook, options: ApplyOptions): { serial: readonly SerialStep[] | undefined; maxFailPercentage: number } {
  return {
    serial: options.serial ?? playbook.plays.find((play) => play.serial !== undefined)?.serial,
    maxFailPercentage: options.maxFailPercentage ?? playbook.plays.find((play) => play.maxFailPercentage !== undefined)?.maxFailPercentage ?? 0,
  };
}

/** SIGINT/SIGTERM: no new node starts, nodes in flight finish (or roll back), the recap prints. A second SIGINT exits at once. */
function interruptible(output: Output): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted && name === 'SIGINT') process.exit(130);
    controller.abort();
    output.notice(`${name}: no new node starts; nodes in flight finish or roll back (SIGINT again to quit now)`);
  };
  const int = onSignal('SIGINT');
  const term = onSignal('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return { signal: controller.signal, done: () => void (process.off('SIGINT', int), process.off('SIGTERM', term)) };
}

/** What counts against max_fail_percentage: a node that failed, rolled back or could not be reached. */
const failedNode = (outcome: NodeOutcome<NodeConvergence>) =>
  outcome.status === 'ok' ? outcome.value.status === 'failed' || outcome.value.status === 'rolled_back' : outcome.status !== 'skipped';

/** `dockhand apply` / `dockhand check`: converge the nodes to the playbook, or report their drift. */
export async function applyCommand(playbookFile: string, options: ApplyOptions): Promise<ExitCode | 130> {
  const mode: Mode = options.check ? 'check' : 'apply';
  // Everything is read and validated before any node is touched.
  const playbook = await loadPlaybook(playbookFile);
  if (mode === 'apply') requirePullCredentials(playbook);
  const inventory = await loadInventory(options.inventory);
  const selected = new Set(selectHosts(inventory, options.limit, '--limit').map((host) => host.name));
  const desired = desiredStates(playbook, inventory, selected);
  const targets = [...selected].filter((name) => desired.has(name)).map((name) => resolveTarget(inventory, name));
  requireSelection(targets, options.limit, playbook);
  const output = outputFor(options, targets);
  await warnIfSecretsExposed(options.inventory, targets, output);
  for (const registry of playbook.plays.flatMap((play) => play.registries)) {
    const credentials = registry.verify ? pullCredentials(registry.verify) : undefined;
    output.redactor.add(credentials?.password);
  }
  for (const warning of playbook.warnings) output.notice(`warning: ${warning}`);

  const interrupt = interruptible(output);
  const outcomes = await forEachNode<NodeConvergence>(
    targets,
    {
      forks: options.forks,
      connection: connectionSettings(options, output),
      connect: connectorFor(output),
      onEvent: progressReporter(output, targets.length),
      ...rollout(playbook, options),
      failed: failedNode,
      signal: interrupt.signal,
    },
    (connection, target) =>
      convergeNode(connection, target.name, desired.get(target.name)!, mode, (warning) => output.notice(`${target.name}: warning: ${warning}`)),
  ).finally(interrupt.done);
  const document = convergeDocument(mode, outcomes, options.diff);
  output.result(options.json ? `${JSON.stringify(document, null, 2)}\n` : renderConvergeText(document));
  if (interrupt.signal.aborted) return 130;
  return exitCodeFor(document.hosts.map((host) => host.status));
}
