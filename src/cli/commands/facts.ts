import { gatherFacts } from '../../facts/gather.ts';
import { requireFamily } from '../../facts/os-release.ts';
import { factsDocument, renderFactsTable } from '../../report/facts.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode } from '../../run/fleet.ts';
import { exitCodeFor, type ExitCode } from '../exit-codes.ts';
import { connectionSettings, connectorFor, outputFor } from '../connect.ts';
import type { NodeOptions } from '../options.ts';
import { targetsFrom, warnIfSecretsExposed } from '../targets.ts';

/** `dockhand facts`: what every node is and how its Docker is wired. */
export async function factsCommand(options: NodeOptions): Promise<ExitCode> {
  const { inventory, targets } = await targetsFrom(options.inventory, options.limit);
  const output = outputFor(options, targets);
  for (const warning of inventory.warnings) output.notice(`warning: ${warning}`);
  await warnIfSecretsExposed(inventory.secretFiles, output);
  const progress = progressReporter(output, targets.length);
  const outcomes = await forEachNode(
    targets,
    {
      forks: options.forks,
      connection: connectionSettings(options, output),
      connect: connectorFor(output),
      onEvent: progress.onEvent,
    },
    async (connection, target) => {
      const facts = await gatherFacts(connection, target.name);
      requireFamily(facts.os, target.name);
      return facts;
    },
  ).finally(progress.stop);
  const document = factsDocument(outcomes);
  output.result(options.json ? `${JSON.stringify(document, null, 2)}\n` : renderFactsTable(document, { paint: output.paint.result, width: output.resultWidth }));
  return exitCodeFor(document.hosts.map((host) => host.status));
}
