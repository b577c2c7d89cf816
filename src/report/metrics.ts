/**
 * The run as Prometheus metrics, in the text exposition format, for node_exporter's textfile
 * collector: base units, HELP and TYPE for every family, no timestamps. Every series carries
 * `schedule` (the file's name without .prom), so several schedules can share one textfile directory.
 */
import type { ConvergeDocument } from './converge.ts';
import { registryFamilies } from './registry-metrics.ts';
import { CONVERGE_STATUSES } from './status.ts';

/** Exit codes of a run that did its job: every node reached, none failed (drift found by a check is a result). */
const SUCCESSFUL_EXITS: ReadonlySet<number> = new Set([0, 3]);

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: number }[];
}

/** A node's series as the last run that worked on it left them. */
export interface NodeSeries {
  readonly status: string | undefined;
  readonly driftResources: number | undefined;
  readonly durationSeconds: number | undefined;
  /** When that run ended. */
  readonly lastRun: number | undefined;
}

/** What a new file keeps from the one it replaces. */
export interface CarriedOver {
  /** dockhand_last_success_timestamp_seconds, kept when this run did not succeed. */
  readonly lastSuccess: number | undefined;
  /** dockhand_overlapping_runs_total. */
  readonly overlapping: number;
  /** Each node's series, for the nodes a run limited to others (--limit) keeps. */
  readonly nodes?: ReadonlyMap<string, NodeSeries> | undefined;
}

function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The labels of a sample as labelValue wrote them. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, key, value] of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    labels[key!] = value!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function helpText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

function renderFamilies(families: readonly Family[]): string {
  return families
    .map((family) => {
      const lines = [`# HELP ${family.name} ${helpText(family.help)}`, `# TYPE ${family.name} ${family.type}`];
      for (const sample of family.samples) {
        const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${labelValue(value)}"`);
        lines.push(`${family.name}{${labels.join(',')}} ${sampleValue(sample.value)}`);
      }
      return lines.join('\n');
    })
    .join('\n')
    .concat('\n');
}

/** The schedule label: the metrics file's name without its directory and `.prom`. */
export function scheduleLabel(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.prom$/, '');
}

const overlappingFamily = (schedule: string, value: number): Family => ({
  name: 'dockhand_overlapping_runs_total',
  help: 'Runs that exited at once because the previous run of the same playbook and inventory was still going.',
  type: 'counter',
  samples: [{ labels: { schedule }, value }],
});

/** Read what a new file keeps from a previous one of dockhand's (an absent or foreign file keeps nothing). */
export function carriedOver(previous: string | undefined): CarriedOver {
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^${name}(?:\\{[^\\n]*\\})? (\\S+)$`, 'm').exec(previous ?? '');
    const parsed = match ? Number(match[1]) : NaN;
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  const lastRun = value('dockhand_last_run_timestamp_seconds');
  const nodes = new Map<string, { status?: string; driftResources?: number; durationSeconds?: number; lastRun?: number }>();
  for (const [, family, labelText, raw] of (previous ?? '').matchAll(/^(dockhand_node_\w+)\{([^\n]*)\} (\S+)$/gm)) {
    const labels = parseLabels(labelText!);
    const number = Number(raw);
    const name = labels['node'];
    if (name === undefined || !Number.isFinite(number)) continue;
    const series = nodes.get(name) ?? { lastRun };
    if (family === 'dockhand_node_status' && number === 1) series.status = labels['status'];
    if (family === 'dockhand_node_drift_resources') series.driftResources = number;
    if (family === 'dockhand_node_duration_seconds') series.durationSeconds = number;
    if (family === 'dockhand_node_last_run_timestamp_seconds') series.lastRun = number;
    nodes.set(name, series);
  }
  const complete = new Map([...nodes].map(([name, s]): [string, NodeSeries] => [name, { status: s.status, driftResources: s.driftResources, durationSeconds: s.durationSeconds, lastRun: s.lastRun }]));
  return { lastSuccess: value('dockhand_last_success_timestamp_seconds'), overlapping: value('dockhand_overlapping_runs_total') ?? 0, nodes: complete };
}

/**
 * The metrics of a finished run. `now` is the end of the run (Unix seconds). `keep` is every node of the
 * schedule (what the plays select in the whole inventory): a node this run did not work on (--limit) keeps
 * its series from the previous file; a node not in `keep` is dropped.
 */
export function renderMetrics(document: ConvergeDocument, schedule: string, previous: CarriedOver, now: number, keep: ReadonlySet<string> = new Set()): string {
  const succeeded = SUCCESSFUL_EXITS.has(document.run.exit_code);
  const node = (name: string) => ({ schedule, node: name });
  const worked = new Set(document.hosts.map((host) => host.name));
  const rows: ({ readonly name: string } & NodeSeries)[] = [
    ...document.hosts.map((host) => ({ name: host.name, status: host.status, driftResources: host.changes.length, durationSeconds: host.duration_ms / 1000, lastRun: now })),
    ...[...(previous.nodes ?? [])].filter(([name, series]) => keep.has(name) && !worked.has(name) && series.status !== undefined).map(([name, series]) => ({ name, ...series })),
  ];
  const each = (value: (row: (typeof rows)[number]) => number | undefined) =>
    rows.flatMap((row) => (value(row) === undefined ? [] : [{ labels: node(row.name), value: value(row)! }]));
  const families: Family[] = [
    {
      name: 'dockhand_node_status',
      help: 'Each node\'s status in the last run that worked on it: 1 for the status it had, 0 for the others.',
      type: 'gauge',
      samples: rows.flatMap((row) => CONVERGE_STATUSES.map((status) => ({ labels: { ...node(row.name), status }, value: row.status === status ? 1 : 0 }))),
    },
    {
      name: 'dockhand_node_drift_resources',
      help: 'Files that differed from the playbook on the node at the start of the last run that worked on it (check: would change; apply: were changed).',
      type: 'gauge',
      samples: each((row) => row.driftResources),
    },
    {
      name: 'dockhand_node_duration_seconds',
      help: 'How long the last run that worked on the node took on it.',
      type: 'gauge',
      samples: each((row) => row.durationSeconds),
    },
    {
      name: 'dockhand_node_last_run_timestamp_seconds',
      help: 'When the last run that worked on the node ended (Unix time): older than the run\'s own for a node a --limit left out.',
      type: 'gauge',
      samples: each((row) => row.lastRun),
    },
    {
      name: 'dockhand_run_nodes',
      help: 'Nodes of the last run by status.',
      type: 'gauge',
      samples: CONVERGE_STATUSES.map((status) => ({ labels: { schedule, status }, value: document.summary[status] ?? 0 })),
    },
    { name: 'dockhand_last_run_timestamp_seconds', help: 'When the last run ended (Unix time).', type: 'gauge', samples: [{ labels: { schedule }, value: now }] },
    {
      name: 'dockhand_last_success_timestamp_seconds',
      help: 'When the last successful run ended (Unix time): every node reached, none failed; drift found by a check counts as success.',
      type: 'gauge',
      samples: [{ labels: { schedule }, value: succeeded ? now : (previous.lastSuccess ?? 0) }],
    },
    { name: 'dockhand_run_duration_seconds', help: 'How long the last run took.', type: 'gauge', samples: [{ labels: { schedule }, value: document.run.duration_ms / 1000 }] },
    { name: 'dockhand_run_exit_code', help: 'The last run\'s exit code (0 ok, 2 failed, 3 drift or blocked, 4 unreachable, 130 interrupted).', type: 'gauge', samples: [{ labels: { schedule }, value: document.run.exit_code }] },
    overlappingFamily(schedule, previous.overlapping),
    ...registryFamilies(document, schedule),
  ];
  return renderFamilies(families);
}

/**
 * The file after a run that found the previous one still going: the previous file as it was (that
 * run will replace it), with dockhand_overlapping_runs_total one higher.
 */
export function renderOverlap(previous: string | undefined, schedule: string): string {
  const count = carriedOver(previous).overlapping + 1;
  const counter = renderFamilies([overlappingFamily(schedule, count)]);
  if (previous === undefined || !/^dockhand_overlapping_runs_total/m.test(previous)) return `${previous ?? ''}${counter}`;
  return previous.replace(/^dockhand_overlapping_runs_total(\{[^\n]*\})? \S+$/m, counter.trimEnd().split('\n').at(-1)!);
}
