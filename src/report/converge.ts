/**
 * The run's report: one document that every reporter renders (text, JSON, JUnit, metrics, history).
 */
import { createTwoFilesPatch } from 'diff';
import type { NodeConvergence, Mode } from '../converge/converge-node.ts';
import type { FileChange } from '../plan/types.ts';
import type { NodeOutcome } from '../run/fleet.ts';
import { holdsCertificate, summariseCertificates } from './certificate-summary.ts';
import { concerns, type PlayReport } from './plays.ts';
import { CONVERGE_STATUSES, STATUS, type ConvergeStatus } from './status.ts';
import { paintDiff, plain, type Paint } from './style.ts';
import { maskCredentials } from './mask.ts';
import { renderQuietText } from './quiet.ts';
import { statusTotals } from './totals.ts';
import { renderTable } from './table.ts';
import { reachLine, reachNotable } from './reach.ts';
import type { RegistryReach } from '../reach/judge.ts';

export { CONVERGE_STATUSES, type ConvergeStatus } from './status.ts';
export type { PlayReport } from './plays.ts';
export type { ChangeReport, ConvergeDocument, ConvergeHost, RunInfo } from './document.ts';
import type { ChangeReport, ConvergeDocument, ConvergeHost, RunInfo } from './document.ts';


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

/** What a node's report needs beyond its outcome. */
export interface HostReportOptions {
  readonly diff: boolean;
  readonly plays: readonly PlayReport[];
}

export interface DocumentOptions {
  readonly plays: readonly PlayReport[];
  readonly run: Omit<RunInfo, 'exit_code' | 'duration_ms'>;
  readonly durationMs: number;
  /** The exit code, from the hosts' statuses (and whether the run was interrupted). */
  readonly exitCode: (statuses: readonly ConvergeStatus[]) => number;
}

/**
 * Each node's report from its outcome, made as the node ends (the run keeps this, not the node's state).
 * The subjects of each node's plays are found once, by name.
 */
export function hostReporter(options: HostReportOptions): (outcome: NodeOutcome<NodeConvergence>) => ConvergeHost {
  const subjectsOf = new Map<string, string[]>();
  for (const play of options.plays) {
    for (const host of new Set(play.hosts)) {
      const subjects = subjectsOf.get(host);
      if (subjects === undefined) subjectsOf.set(host, [...play.subjects]);
      else subjects.push(...play.subjects);
    }
  }
  return (outcome) => hostReport(outcome, options.diff, subjectsOf.get(outcome.target.name) ?? []);
}

function hostReport(outcome: NodeOutcome<NodeConvergence>, diff: boolean, subjects: readonly string[]): ConvergeHost {
  const value = outcome.value;
  const changeReport = (change: FileChange): ChangeReport => ({
    resource: change.resource,
    path: change.path,
    action: change.action,
    diff: diff ? unifiedDiff(change.path, change.before, change.after) : null,
    concerns: concerns(subjects, [change.path, ...changedLines(change)]),
  });
  return {
    name: outcome.target.name,
    address: outcome.target.address,
    status: value?.status ?? outcome.status,
    os_family: value?.osFamily ?? null,
    runtimes: [...(value?.runtimes ?? [])],
    mechanism: (value?.mechanisms ?? []).length === 0 ? null : value!.mechanisms.map((m) => m.mechanism).join(', '),
    via: (value?.mechanisms ?? []).map((m) => ({ runtime: m.runtime, mechanism: m.mechanism, via: m.via })),
    changes: (value?.changes ?? []).map(changeReport),
    handlers: [...(value?.handlers ?? [])],
    missing_effect: [...(value?.missingEffect ?? [])],
    verified: [...(value?.verified ?? [])],
    warnings: [...(value?.warnings ?? [])],
    notes: [...(value?.notes ?? [])],
    restarts: (value?.restarts ?? []).map((r) => ({ runtime: r.runtime, needed: r.needed, allowed: r.allowed, reason: r.reason })),
    blocked: [...(value?.blocked ?? [])],
    recovered: value?.recovered ? { run_id: value.recovered.runId, outcome: value.recovered.outcome, detail: value.recovered.detail } : null,
    reach: [...(value?.reach ?? [])],
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

/** The run's report, from each node's (hostReporter): the same object renders as JSON, text, JUnit, metrics and history. */
export function convergeDocument(mode: Mode, hosts: readonly ConvergeHost[], options: DocumentOptions): ConvergeDocument {
  const summary: Partial<Record<ConvergeStatus, number>> = {};
  for (const host of hosts) summary[host.status] = (summary[host.status] ?? 0) + 1;
  const run: RunInfo = { ...options.run, duration_ms: options.durationMs, exit_code: options.exitCode(hosts.map((h) => h.status)) };
  return { mode, hosts: [...hosts], summary, plays: [...options.plays], run };
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
  // a blocked node changed nothing: what it needs is said as check says it
  const planned = mode === 'check' || host.status === 'blocked';
  const verb = planned ? 'would ' : '';
  const runtimes = host.runtimes.map((runtime) => {
    const via = host.via.find((v) => v.runtime === runtime);
    return via === undefined ? runtime : `${runtime} via ${via.via}`;
  });
  const lines = [`${paint('bold', host.name)} ${paint(STATUS[host.status].colour, host.status)} (${[seconds(host.duration_ms), ...runtimes].join(', ')})`];
  if (host.recovered) {
    lines.push(`  recovered run ${host.recovered.run_id}: ${host.recovered.outcome}${host.recovered.detail ? ` (${host.recovered.detail})` : ''}`);
  }
  for (const warning of host.warnings) lines.push(`  ${paint('yellow', 'warning')}: ${warning}`);
  for (const note of host.notes) lines.push(`  note: ${note}`);
  for (const restart of host.restarts) {
    if (!restart.needed) continue;
    if (planned) lines.push(`  ${restart.runtime} restart needed, ${restart.allowed ? 'allowed' : paint('yellow', 'not allowed')}: ${restart.reason}`);
    else if (host.handlers.includes(`restart-${restart.runtime}`)) lines.push(`  ${restart.runtime} restarted: ${restart.reason}`);
  }
  if (host.status === 'blocked') for (const reason of host.blocked) lines.push(`  ${paint('yellow', 'not changed')}: ${reason}`);
  else if (mode === 'check') for (const reason of host.blocked.filter((r) => !host.restarts.some((x) => x.reason === r))) lines.push(`  apply would not change it: ${reason}`);
  for (const change of host.changes) {
    lines.push(`  ${verb}${change.action} ${change.resource} ${change.path}`);
    if (change.diff) lines.push(...paintDiff(change.diff.trimEnd(), paint).split('\n').map((line) => `    ${line}`));
  }
  if (host.missing_effect.length > 0) lines.push(`  not in effect${mode === 'apply' ? ' before this run' : ''}: ${host.missing_effect.join('; ')}`);
  for (const reach of (host.reach ?? []).filter(reachNotable)) lines.push(`  reach ${reachLine(reach, planned)}`);
  if (host.handlers.length > 0) lines.push(`  ${planned ? 'handlers owed' : 'handlers'}: ${host.handlers.join(', ')}`);
  if (host.verified.length > 0) lines.push(`  verified: ${host.verified.join(', ')}`);
  if (host.error) lines.push(`  ${paint('red', 'error')}: ${host.error}`);
  return lines;
}

/** Per-node details, then a recap like Ansible's PLAY RECAP. */
export function renderConvergeText(document: ConvergeDocument, options: TextOptions = {}): string {
  const paint = options.paint ?? plain;
  if (options.quiet) return renderQuietText(document, paint, (host) => hostDetails(host, document.mode, paint));
  const shown = document.hosts.filter((host) => host.status !== 'ok' || host.changes.length > 0 || host.verified.length > 0 || (host.reach ?? []).some(reachNotable));
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
