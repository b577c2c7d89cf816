import { desiredStates } from '../../converge/desired.ts';
import { convergeNode, type Mode } from '../../converge/converge-node.ts';
import { loadInventory, resolveTarget, selectHosts } from '../../inventory/index.ts';
import { loadPlaybook } from '../../playbook/index.ts';
import { convergeDocument, renderConvergeText } from '../../report/converge.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode } from '../../run/fleet.ts';
import { exitCodeFor, type ExitCode } from '../exit-codes.ts';
import { connectionSettings, type NodeOptions } from '../options.ts';

export interface ApplyOptions extends NodeOptions {
  readonly check: boolean;
  readonly diff: boolean;
}

/** `dockhand apply` / `dockhand check`: converge the nodes to the playbook, or report their drift. */
export async function applyCommand(playbookFile: string, options: ApplyOptions): Promise<ExitCode> {
  const mode: Mode = options.check ? 'check' : 'apply';
  // Everything is read and validated before any node is touched.
  const playbook = await loadPlaybook(playbookFile);
  const inventory = await loadInventory(options.inventory);
  const selected = new Set(selectHosts(inventory, options.limit, '--limit').map((host) => host.name));
  const desired = desiredStates(playbook, inventory, selected);
  const targets = [...selected].filter((name) => desired.has(name)).map((name) => resolveTarget(inventory, name));
  for (const warning of playbook.warnings) process.stderr.write(`dockhand: warning: ${warning}\n`);

  const outcomes = await forEachNode(
    targets,
    { forks: options.forks, connection: connectionSettings(options), onEvent: progressReporter(process.stderr, targets.length) },
    (connection, target) =>
      convergeNode(connection, target.name, desired.get(target.name)!, mode, (warning) =>
        process.stderr.write(`dockhand: ${target.name}: warning: ${warning}\n`),
      ),
  );
  const document = convergeDocument(mode, outcomes, options.diff);
  process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : renderConvergeText(document));
  return exitCodeFor(document.hosts.map((host) => host.status));
}
