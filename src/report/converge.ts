import { createTwoFilesPatch } from 'diff';
import type { NodeConvergence, Mode } from '../converge/converge-node.ts';
import type { NodeOutcome } from '../run/fleet.ts';
import { maskCredentials } from './mask.ts';
import { renderTable } from './table.ts';

export type ConvergeStatus = 'ok' | 'changed' | 'drift' | 'failed' | 'unreachable' | 'rolled_back' | 'skipped';
export const STATUS_ORDER: readonly ConvergeStatus[] = ['ok', 'changed', 'drift', 'failed', 'unreachable', 'rolled_back', 'skipped'];

export interface ChangeReport {
  readonly resource: string;
  readonly path: string;
  readonly action: 'create' | 'update' | 'delete';
  /** A unified diff, with --diff; null otherwise. */
  readonly diff: string | null;
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
  readonly warnings: string[];
  /** How it was done (live-restore turned on before a restart). */
  readonly notes: string[];
  /** Each runtime restart the change needs: whether it may happen, and why. */
  readonly restarts: { runtime: string; needed: boolean; allowed: boolean; reason: string }[];
  /** An earlier run's unfinished transaction this run finished (or undid). */
  readonly recovered: { run_id: string; outcome: string; detail: string | null } | null;
  /** Images whose pull check passed. */
  readonly verified: string[];
  readonly error: string | null;
  readonly duration_ms: number;
}

export interface ConvergeDocument {
  readonly mode: Mode;
  readonly hosts: ConvergeHost[];
  readonly summary: Partial<Record<ConvergeStatus, number>>;
}

/** A unified diff of one file change. */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  return maskCredentials(createTwoFilesPatch(
    before === null ? '/dev/null' : `a${path}`,
    after === null ? '/dev/null' : `b${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^=+\n/m, ''));
}

/** The run's report: the same object renders as JSON and as text. */
export function convergeDocument(mode: Mode, outcomes: readonly NodeOutcome<NodeConvergence>[], withDiff: boolean): ConvergeDocument {
  const hosts = outcomes.map((outcome): ConvergeHost => {
    const value = outcome.value;
    return {
      name: outcome.target.name,
      address: outcome.target.address,
      status: value?.status ?? outcome.status,
      os_family: value?.osFamily ?? null,
      runtimes: [...(value?.runtimes ?? [])],
      mechanism: value?.mechanism ?? null,
      changes: (value?.changes ?? []).map((change) => ({
        resource: change.resource,
        path: change.path,
        action: change.action,
        diff: withDiff ? unifiedDiff(change.path, change.before, change.after) : null,
      })),
      handlers: [...(value?.handlers ?? [])],
      missing_effect: [...(value?.missingEffect ?? [])],
      warnings: [...(value?.warnings ?? [])],
      notes: [...(value?.notes ?? [])],
      restarts: (value?.restarts ?? []).map((r) => ({ runtime: r.runtime, needed: r.needed, allowed: r.allowed, reason: r.reason })),
      recovered: value?.recovered ? { run_id: value.recovered.runId, outcome: value.recovered.outcome, detail: value.recovered.detail } : null,
      verified: [...(value?.verified ?? [])],
      error: value?.error ?? outcome.error,
      duration_ms: outcome.durationMs,
    };
  });
  const summary: Partial<Record<ConvergeStatus, number>> = {};
  for (const host of hosts) summary[host.status] = (summary[host.status] ?? 0) + 1;
  return { mode, hosts, summary };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Per-node details, then a recap like Ansible's PLAY RECAP. */
export function renderConvergeText(document: ConvergeDocument): string {
  const verb = document.mode === 'check' ? 'would ' : '';
  const lines: string[] = [];
  for (const host of document.hosts) {
    if (host.status === 'ok' && host.changes.length === 0 && host.recovered === null && host.verified.length === 0) continue;
    const via = host.mechanism === null ? '' : `, registry options via ${host.mechanism === 'drop-in' ? 'the DOCKER_OPTS drop-in' : 'daemon.json'}`;
    lines.push(`${host.name} ${host.status} (${seconds(host.duration_ms)}${via})`);
    if (host.recovered) lines.push(`  recovered run ${host.recovered.run_id}: ${host.recovered.outcome}${host.recovered.detail ? ` (${host.recovered.detail})` : ''}`);
    for (const warning of host.warnings) lines.push(`  warning: ${warning}`);
    for (const note of host.notes) lines.push(`  note: ${note}`);
    for (const restart of host.restarts) {
      if (restart.needed) lines.push(`  ${restart.runtime} restart ${document.mode === 'check' ? 'needed' : 'done'}, ${restart.allowed ? 'allowed' : 'refused'}: ${restart.reason}`);
    }
    for (const change of host.changes) {
      lines.push(`  ${verb}${change.action} ${change.resource} ${change.path}`);
      if (change.diff) lines.push(...change.diff.trimEnd().split('\n').map((line) => `    ${line}`));
    }
    if (host.missing_effect.length > 0) lines.push(`  dockerd lacked: ${host.missing_effect.join(', ')}`);
    if (host.handlers.length > 0) lines.push(`  ${document.mode === 'check' ? 'handlers owed' : 'handlers'}: ${host.handlers.join(', ')}`);
    if (host.verified.length > 0) lines.push(`  verified: ${host.verified.join(', ')}`);
    if (host.error) lines.push(`  error: ${host.error}`);
  }
  const rows = document.hosts.map((host) => [
    host.name,
    host.status,
    `changes=${host.changes.length}`,
    `handlers=${host.handlers.length}`,
    seconds(host.duration_ms),
  ]);
  const totals = STATUS_ORDER.filter((s) => document.summary[s] !== undefined).map((s) => `${s}=${document.summary[s]}`);
  return `${lines.length > 0 ? `${lines.join('\n')}\n\n` : ''}RECAP (${document.mode})\n${renderTable(['NODE', 'STATUS', 'CHANGES', 'HANDLERS', 'TIME'], rows)}${totals.join('  ')}\n`;
}
