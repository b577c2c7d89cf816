import { resolve } from 'node:path';
import { desiredStates } from '../../converge/desired.ts';
import { pullCredentials, requirePullCredentials } from '../../converge/pull-check.ts';
import { convergeNode, type Mode, type NodeConvergence } from '../../converge/converge-node.ts';
import { newRunId } from '../../history/store.ts';
import { resolveTargets, selectHosts } from '../../inventory/index.ts';
import type { Playbook, RestartPolicy, SerialStep } from '../../playbook/types.ts';
import type { DesiredState } from '../../plan/types.ts';
import { convergeDocument, hostReporter, renderConvergeText, type ConvergeHost } from '../../report/converge.ts';
import { jsonParts } from '../../report/json-parts.ts';
import { playReports } from '../../report/plays.ts';
import { loadRunInputs } from '../../sources/index.ts';
import { progressReporter } from '../../report/progress.ts';
import { forEachNode, type NodeOutcome } from '../../run/fleet.ts';
import { ExitCode, exitCodeFor } from '../exit-codes.ts';
import { connectionSettings, connectorFor, outputFor } from '../connect.ts';
import type { NodeOptions } from '../options.ts';
import type { ReportOptions } from '../report-options.ts';
import { recordOverlap, shownHost, shownReport, writeRunReports } from '../reporting.ts';
import { takeRunLock } from '../run-lock.ts';
import { requireSelection, warnIfSecretsExposed } from '../targets.ts';
import { inFlightLine, interruptible, outcomesSoFar } from '../interrupt.ts';

export interface ApplyOptions extends NodeOptions, ReportOptions {
  readonly check: boolean;
  /** The play (and, without -i, the inventory) from a KubeKey cluster file or a Kubespray inventory directory. */
  readonly fromKubekey?: string | undefined;
  readonly fromKubespray?: string | undefined;
  readonly diff: boolean;
  /** --serial, overriding the plays' serial. */
  readonly serial?: SerialStep[] | undefined;
  readonly maxFailPercentage?: number | undefined;
  /** --restart, or --allow-restart (always), overriding the plays' restart policy. */
  readonly restart?: RestartPolicy | undefined;
  readonly allowRestart?: boolean | undefined;
  /** --retry-failed: a change that failed on a node before is tried again. */
  readonly retryFailed?: boolean | undefined;
}

/** The command line's restart policy, where given, over the plays'; and whether failed changes are tried again. */
function withCommandLine(states: Map<string, DesiredState>, restart: RestartPolicy | undefined, retryFailed: boolean): Map<string, DesiredState> {
  return new Map([...states].map(([name, state]) => [name, { ...state, ...(restart === undefined ? {} : { restart }), retryFailed }]));
}

/** The first play that sets it decides, unless the command line does. */
function rollout(playbook: Playbook, options: ApplyOptions): { serial: readonly SerialStep[] | undefined; maxFailPercentage: number } {
  return {
    serial: options.serial ?? playbook.plays.find((play) => play.serial !== undefined)?.serial,
    maxFailPercentage: options.maxFailPercentage ?? playbook.plays.find((play) => play.maxFailPercentage !== undefined)?.maxFailPercentage ?? 0,
  };
}

/** What counts against max_fail_percentage: a node that failed, rolled back or could not be reached (not a blocked one: it changed nothing). */
const failedNode = (outcome: NodeOutcome<NodeConvergence>) =>
  outcome.status === 'ok' ? outcome.value.status === 'failed' || outcome.value.status === 'rolled_back' : outcome.status !== 'skipped';

/** `dockhand apply` / `dockhand check`: converge the nodes to the playbook, or report their drift. */
export async function applyCommand(playbookFile: string | undefined, options: ApplyOptions): Promise<ExitCode> {
  const mode: Mode = options.check ? 'check' : 'apply';
  const startedAt = new Date();
  // Everything is read and validated before any node is touched.
  const inputs = await loadRunInputs({ playbook: playbookFile, inventories: options.inventory ?? [], fromKubekey: options.fromKubekey, fromKubespray: options.fromKubespray });
  const { playbook, inventory } = inputs;
  if (mode === 'apply') requirePullCredentials(playbook);
  const selected = new Set(selectHosts(inventory, options.limit, '--limit').map((host) => host.name));
  const restart = options.allowRestart === true ? 'always' : options.restart;
  const desired = withCommandLine(desiredStates(playbook, inventory, selected), restart, options.retryFailed === true);
  const targets = await resolveTargets(inventory, [...selected].filter((name) => desired.has(name)));
  requireSelection(targets, options.limit, playbook);
  const output = outputFor(options, targets);
  output.redactor.add(...inputs.secrets);
  for (const warning of inventory.warnings) output.notice(`warning: ${warning}`);
  await warnIfSecretsExposed([...inventory.secretFiles, ...inputs.secretFiles], output);
  for (const registry of playbook.plays.flatMap((play) => play.registries)) {
    const credentials = registry.verify ? pullCredentials(registry.verify) : undefined;
    output.redactor.add(credentials?.password);
  }
  for (const warning of playbook.warnings) output.notice(`warning: ${warning}`);

  // One run per playbook and inventory at a time: a run that finds the previous one still going leaves at once.
  // the play's source and the inventory's, as given: what a schedule runs again and again
  const playSource = playbookFile ?? options.fromKubekey ?? options.fromKubespray ?? '';
  const lock = await takeRunLock(playSource, inventory.sources, output, options.json);
  if (lock === 'busy') {
    await recordOverlap(options, output);
    return ExitCode.locked;
  }
  try {
    const plays = playReports(playbook, (pattern) => selectHosts(inventory, pattern, pattern).map((h) => h.name).filter((name) => desired.has(name)));
    const hostOf = hostReporter({ diff: options.diff, plays });
    // each node's report, masked, made as the node ends: the node's state, files and plan go with it
    const finished = new Map<string, ConvergeHost>();
    const keep = (outcome: NodeOutcome<NodeConvergence>): ConvergeHost => {
      const host = shownHost(hostOf(outcome), output);
      finished.set(host.name, host);
      return host;
    };
    const report = (hosts: readonly ConvergeHost[], interrupted: boolean, inFlight: readonly string[] = []) => {
      const document = shownReport(convergeDocument(mode, hosts, {
        plays,
        run: { id: newRunId(startedAt), started_at: startedAt.toISOString(), playbook: resolve(playSource), inventory: inventory.sources.map((source) => resolve(source)).join(','), limit: options.limit ?? null },
        durationMs: Date.now() - startedAt.getTime(),
        exitCode: (statuses) => (interrupted ? ExitCode.interrupted : exitCodeFor(statuses)),
      }), output);
      return inFlight.length > 0 ? { ...document, in_flight: [...inFlight] } : document;
    };
    // a second SIGINT: what is known now, the nodes in flight named apart (their transactions go on without dockhand)
    const interrupt = interruptible(output, (inFlight, ended) => {
      const known = outcomesSoFar(targets, inFlight, ended, (node) => finished.get(node));
      const document = report(known.map((o) => (o.status === 'ok' ? o.value : keep({ ...o, value: null }))), true, inFlight);
      const text = renderConvergeText(document, { paint: output.paint.result, width: output.resultWidth });
      output.result(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${text}${inFlightLine(inFlight)}`);
    });
    const progress = progressReporter(output, targets.length, { statusOf: (node) => finished.get(node), quiet: options.quiet });
    const outcomes = await forEachNode<NodeConvergence, ConvergeHost>(
      targets,
      {
        forks: options.forks,
        connection: connectionSettings(options, output),
        connect: connectorFor(output),
        onEvent: (event) => (interrupt.onEvent(event), progress.onEvent(event)),
        ...rollout(playbook, options),
        failed: failedNode,
        signal: interrupt.signal,
        keep,
      },
      (connection, target) => convergeNode(connection, target.name, desired.get(target.name)!, mode, (warning) => output.notice(`${target.name}: warning: ${warning}`)),
    ).finally(() => (interrupt.done(), progress.stop()));
    const document = report(outcomes, interrupt.signal.aborted);
    const paint = output.paint.result;
    if (options.json) await output.resultParts(jsonParts(document, 'hosts', '\n'));
    else output.result(renderConvergeText(document, { paint, quiet: options.quiet, width: output.resultWidth }));
    // a --limit'ed run's reports keep the schedule's other nodes: every node the plays select
    await writeRunReports(document, options, output, { plays: playReports(playbook, (pattern) => selectHosts(inventory, pattern, pattern).map((h) => h.name)) });
    return document.run.exit_code as ExitCode;
  } finally {
    await lock.release();
  }
}
