import { gatherFacts } from '../../facts/gather.ts';
import { requireFamily } from '../../facts/os-release.ts';
import { factsDocument, renderFactsTable } from '../../report/facts.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode } from '../../run/fleet.ts';
import { exitCodeFor, type ExitCode } from '../exit-codes.ts';
import { connectionSettings, connectorFor, outputFor, type NodeOptions } from '../options.ts';
import { targetsFrom, warnIfSecretsExposed } from '../targets.ts';

/** `dockhand facts`: what every node is and how its Docker is wired. */
export async function factsCommand(options: NodeOptions): Promise<ExitCode> {
  const targets = await targetsFrom(options.inventory, options.limit);
  const output = outputFor(options, targets);
  await warnIfSecretsExposed(options.inventory, targets, output);
  const outcomes = await forEachNode(
    targets,
    {
      forks: options.forks,
      connection: connectionSettings(options, output),
      connect: connectorFor(output),
      onEvent: progressReporter(output, targets.length),
    },
    async (connection, target) => {
      const facts = await gatherFacts(connection, target.name);
      requireFamily(facts.os, target.name);
      return facts;
    },
  );
  const document = factsDocument(outcomes);
  output.result(options.json ? `${JSON.stringify(document, null, 2)}\n` : renderFactsTable(document));
  return exitCodeFor(document.hosts.map((host) => host.status));
}
