import { gatherFacts } from '../../facts/gather.ts';
import { requireFamily } from '../../facts/os-release.ts';
import { factsDocument, renderFactsTable } from '../../report/facts.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode } from '../../run/fleet.ts';
import { exitCodeFor, type ExitCode } from '../exit-codes.ts';
import { connectionSettings, type NodeOptions } from '../options.ts';
import { targetsFrom } from '../targets.ts';

/** `dockhand facts`: what every node is and how its Docker is wired. */
export async function factsCommand(options: NodeOptions): Promise<ExitCode> {
  const targets = await targetsFrom(options.inventory, options.limit);
  const outcomes = await forEachNode(
    targets,
    {
      forks: options.forks,
      connection: connectionSettings(options),
      onEvent: progressReporter(process.stderr, targets.length),
    },
    async (connection, target) => {
      const facts = await gatherFacts(connection, target.name);
      requireFamily(facts.os, target.name);
      return facts;
    },
  );
  const document = factsDocument(outcomes);
  process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : renderFactsTable(document));
  return exitCodeFor(document.hosts.map((host) => host.status));
}
