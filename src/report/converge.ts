/**
 * The run's report: one document that every reporter renders (text, JSON, JUnit, metrics, history).
 */
import { createTwoFilesPatch } from 'diff';
import type { NodeConvergence, Mode } from '../converge/converge-node.ts';
import type { FileChange } from '../converge/types.ts';
import type { NodeOutcome } from '../run/fleet.ts';
import { holdsCertificate, summariseCertificates } from './certificate-summary.ts';
import { concerns, type PlayReport } from './plays.ts';
import { CONVERGE_STATUSES, STATUS, type ConvergeStatus } from './status.ts';
import { paintDiff, plain, type Paint } from './style.ts';
import { maskCredentials } from './mask.ts';
import { renderQuietText } from './quiet.ts';
import { statusTotals } from './totals.ts';
import { renderTable } from './table.ts';

export { CONVERGE_STATUSES, type ConvergeStatus } from './status.ts';
export type { PlayReport } from './plays.ts';

export interface ChangeReport {
  readonly resource: string;
  readonly path: string;
  readonly action: 'create' | 'update' | 'delete';
  /** A unified diff, with --diff (a certificate as its subject, fingerprint and expiry); null otherwise. */
  readonly diff: string | null;
  /** The registries and settings of the plays this change is about (all of the node's when it cannot tell). */
  readonly concerns: string[];
}

export interface ConvergeHost {
  readonly name: string;
  readonly address: string;
  readonly status: ConvergeStatus;
  readonly os_family: string | null;
  /** The container runtimes configured on the node. */
  readonly runtimes: string[];
  /** How registry options reach dockerd: "drop-in" (DOCKER_OPTS) or "daemon-json". */
  readonly mechanism: string | null;
  readonly changes: ChangeReport[];
  readonly handlers: string[];
  readonly missing_effect: string[];
  /** Images whose pull check passed after apply. */
  readonly verified: string[];
  readonly warnings: string[];
  /** How it was done (live-restore turned on before a restart). */
  readonly notes: string[];
  /** Each runtime restart the change needs: whether it may happen, and why. */
  readonly restarts: { runtime: string; needed: boolean; allowed: boolean; reason: string }[];
  /** An earlier run's unfinished transaction this run finished (or undid). */
  readonly recovered: { run_id: string; outcome: string; detail: string | null } | null;
  readonly error: string | null;
  readonly duration_ms: number;
}

/** When and on what the run ran, and how it ended. */
export interface RunInfo {
  readonly id: string;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly playbook: string;
  readonly inventory: string;
  readonly limit: string | null;
  /** The process's exit code for this run. */
  readonly exit_code: number;
}

export interface ConvergeDocument {
  readonly mode: Mode;
  readonly hosts: ConvergeHost[];
  readonly summary: Partial<Record<ConvergeStatus, number>>;
  readonly plays: PlayReport[];
  readonly run: RunInfo;
  /** Only when dockhand quit at a second SIGINT: the nodes whose transactions it left to carry on alone. */
  readonly in_flight?: string[];
}

/** A unified diff of one file change; certificates are shown by subject, fingerprint and expiry. */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  // masked whole before diffing: a multi-line value would otherwise reach the diff a line at a time
  const readable = (text: string | null) => (text === null ? null : holdsCertificate(text) ? summariseCertificates(text) : maskCredentials(text));
  return maskCredentials(createTwoFilesPatch(
    before === null ? '/dev/null' : `a${path}`,
    after === null ? '/dev/null' : `b${path}`,
    readable(before) ?? '',
    readable(after) ?? '',
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^=+\n/m, ''));
}

export interface DocumentOptions {
  readonly diff: boolean;
  readonly plays: readonly PlayReport[];
  readonly run: Omit<RunInfo, 'exit_code' | 'duration_ms'>;
  readonly durationMs: number;
  /** The exit code, from the hosts' statuses (and whether the run was interrupted). */
  readonly exitCode: (statuses: readonly ConvergeStatus[]) => number;
}

function hostReport(outcome: NodeOutcome<NodeConvergence>, options: DocumentOptions): ConvergeHost {
  const value = outcome.value;
  const subjects = options.plays.filter((play) => play.hosts.includes(outcome.target.name)).flatMap((play) => play.subjects);
  const changeReport = (change: FileChange): ChangeReport => ({
    resource: change.resource,
    path: change.path,
    action: change.action,
    diff: options.diff ? unifiedDiff(change.path, change.before, change.after) : null,
    concerns: concerns(subjects, [change.path, ...changedLines(change)]),
  });
  return {
    name: outcome.target.name,
    address: outcome.target.address,
    status: value?.status ?? outcome.status,
    os_family: value?.osFamily ?? null,
    runtimes: [...(value?.runtimes ?? [])],
    mechanism: value?.mechanism ?? null,
    changes: (value?.changes ?? []).map(changeReport),
    handlers: [...(value?.handlers ?? [])],
    missing_effect: [...(value?.missingEffect ?? [])],
    verified: [...(value?.verified ?? [])],
    warnings: [...(value?.warnings ?? [])],
    notes: [...(value?.notes ?? [])],
    restarts: (value?.restarts ?? []).map((r) => ({ runtime: r.runtime, needed: r.needed, allowed: r.allowed, reason: r.reason })),
    recovered: value?.recovered ? { run_id: value.recovered.runId, outcome: value.recovered.outcome, detail: value.recovered.detail } : null,
    error: value?.error ?? outcome.error,
    duration_ms: outcome.durationMs,
  };
}

/** The lines a change adds or removes (what it is about). */
function changedLines(change: FileChange): string[] {
  const before = new Set((change.before ?? '').split('\n'));
  const after = new Set((change.after ?? '').split('\n'));
  return [...[...after].filter((line) => !before.has(line)), ...[...before].filter((line) => !after.has(line))];
}

/** The run's report: the same object renders as JSON, text, JUnit, metrics and history. */
export function convergeDocument(mode: Mode, outcomes: readonly NodeOutcome<NodeConvergence>[], options: DocumentOptions): ConvergeDocument {
  const hosts = outcomes.map((outcome) => hostReport(outcome, options));
  const summary: Partial<Record<ConvergeStatus, number>> = {};
  for (const host of hosts) summary[host.status] = (summary[host.status] ?? 0) + 1;
  const run: RunInfo = { ...options.run, duration_ms: options.durationMs, exit_code: options.exitCode(hosts.map((h) => h.status)) };
  return { mode, hosts, summary, plays: [...options.plays], run };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface TextOptions {
  readonly paint?: Paint;
  /** No recap: the nodes that failed, drifted or could not be reached, a line per changed node (quiet.ts). */
  readonly quiet?: boolean;
  /** The terminal's width, for the recap table. */
  readonly width?: number | undefined;
}

function hostDetails(host: ConvergeHost, mode: Mode, paint: Paint): string[] {
  const verb = mode === 'check' ? 'would ' : '';
  const via = host.mechanism === null ? '' : `, registry options via ${host.mechanism === 'drop-in' ? 'the DOCKER_OPTS drop-in' : 'daemon.json'}`;
  const runtimes = host.runtimes.length > 0 && !(host.runtimes.length === 1 && host.runtimes[0] === 'docker') ? `, ${host.runtimes.join(' + ')}` : '';
  const lines = [`${paint('bold', host.name)} ${paint(STATUS[host.status].colour, host.status)} (${seconds(host.duration_ms)}${runtimes}${via})`];
  if (host.recovered) {
    lines.push(`  recovered run ${host.recovered.run_id}: ${host.recovered.outcome}${host.recovered.detail ? ` (${host.recovered.detail})` : ''}`);
  }
  for (const warning of host.warnings) lines.push(`  ${paint('yellow', 'warning')}: ${warning}`);
  for (const note of host.notes) lines.push(`  note: ${note}`);
  for (const restart of host.restarts) {
    if (restart.needed) lines.push(`  ${restart.runtime} restart ${mode === 'check' ? 'needed' : 'done'}, ${restart.allowed ? 'allowed' : paint('red', 'refused')}: ${restart.reason}`);
  }
  for (const change of host.changes) {
    lines.push(`  ${verb}${change.action} ${change.resource} ${change.path}`);
    if (change.diff) lines.push(...paintDiff(change.diff.trimEnd(), paint).split('\n').map((line) => `    ${line}`));
  }
  const lacked = host.runtimes.length > 1 ? 'the runtimes lacked' : host.runtimes[0] === 'containerd' ? 'containerd lacked' : 'dockerd lacked';
  if (host.missing_effect.length > 0) lines.push(`  ${lacked}: ${host.missing_effect.join(', ')}`);
  if (host.handlers.length > 0) lines.push(`  ${mode === 'check' ? 'handlers owed' : 'handlers'}: ${host.handlers.join(', ')}`);
  if (host.verified.length > 0) lines.push(`  verified: ${host.verified.join(', ')}`);
  if (host.error) lines.push(`  ${paint('red', 'error')}: ${host.error}`);
  return lines;
}

/** Per-node details, then a recap like Ansible's PLAY RECAP. */
export function renderConvergeText(document: ConvergeDocument, options: TextOptions = {}): string {
  const paint = options.paint ?? plain;
  if (options.quiet) return renderQuietText(document, paint, (host) => hostDetails(host, document.mode, paint));
  const shown = document.hosts.filter((host) => host.status !== 'ok' || host.changes.length > 0 || host.verified.length > 0);
  const details = shown.flatMap((host) => hostDetails(host, document.mode, paint));

  const rows = document.hosts.map((host) => [
    host.name,
    paint(STATUS[host.status].colour, host.status),
    `changes=${host.changes.length}`,
    `handlers=${host.handlers.length}`,
    seconds(host.duration_ms),
  ]);
  const table = renderTable(['NODE', 'STATUS', 'CHANGES', 'HANDLERS', 'TIME'], rows, { maxWidth: options.width, fixed: [1, 2, 3, 4] });
  return `${details.length > 0 ? `${details.join('\n')}\n\n` : ''}RECAP (${document.mode})\n${table}${statusTotals(document, paint)}\n`;
}
