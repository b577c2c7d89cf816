/**
 * The run as JUnit XML, for Jenkins' junit step and GitLab's test reports: one <testsuite> per play,
 * one <testcase> per node and subject of the play (a registry, an extra insecure registry, a mirror),
 * classname the node. Drift (check), a failure and a rollback are <failure>s with the reason and the
 * changes as text; an unreachable or skipped node is <skipped> with the reason.
 */
import type { ConvergeDocument, ConvergeHost } from './converge.ts';
import { earlierCases } from './junit-earlier.ts';
import { concerns, type PlayReport } from './plays.ts';
import { reachLine, reachNotable, reachOfSubject } from './reach.ts';
import { STATUS } from './status.ts';
import { element } from './xml.ts';

interface Case {
  readonly xml: string;
  readonly outcome: 'passed' | 'failure' | 'skipped';
}

const secondsOf = (ms: number) => (ms / 1000).toFixed(3);

/** What this node has to say about one subject: its changes, what its runtimes lacked, handlers, error. */
function caseText(host: ConvergeHost, subject: string, subjects: readonly string[], mode: string): string[] {
  const verb = mode === 'check' ? 'would ' : '';
  const lines: string[] = [];
  for (const change of host.changes.filter((c) => c.concerns.includes(subject))) {
    lines.push(`${verb}${change.action} ${change.resource} ${change.path}`);
    if (change.diff) lines.push(change.diff.trimEnd());
  }
  const lacking = host.missing_effect.filter((effect) => concerns(subjects, [effect]).includes(subject));
  if (lacking.length > 0) lines.push(`not in effect: ${lacking.join('; ')}`);
  return lines;
}

function testCase(host: ConvergeHost, subject: string, subjects: readonly string[], mode: string): Case {
  const traits = STATUS[host.status];
  const about = caseText(host, subject, subjects, mode);
  const attributes = { classname: host.name, name: subject, time: secondsOf(host.duration_ms) };
  const handlersSaid = mode === 'check' ? 'handlers owed' : host.status === 'blocked' ? 'handlers needed, not run' : 'handlers';
  const handlers = host.handlers.length > 0 ? [`${handlersSaid}: ${host.handlers.join(', ')}`] : [];
  const verified = host.verified.length > 0 ? [`verified: ${host.verified.join(', ')}`] : [];
  if (traits.junit === 'skipped') {
    return { outcome: 'skipped', xml: element('testcase', attributes, [element('skipped', { message: host.error ?? `${host.name} ${traits.means}` })]) };
  }
  // A drifted node, or a blocked one (its drift stays), fails the subjects its changes are about; the others
  // pass. Drift in nothing but owed handlers (a restart owed by a run that died) is about every subject.
  const owedOnly = host.changes.length === 0 && host.missing_effect.length === 0;
  // a registry the node cannot reach fails its case, whatever the node's files say
  const reach = reachOfSubject(host.reach ?? [], subject);
  const seen = reach !== undefined && reachNotable(reach) ? [`reach ${reachLine(reach, mode === 'check' || host.status === 'blocked')}`] : [];
  const cannotReach = reach !== undefined && reach.outcome !== 'reachable' && reach.outcome !== 'untried';
  const drifted = host.status === 'drift' || host.status === 'blocked';
  const fails = (traits.junit === 'failure' && (!drifted || about.length > 0 || owedOnly)) || cannotReach;
  if (!fails) {
    const out = [...about, ...(about.length > 0 ? handlers : []), ...seen, ...verified];
    return { outcome: 'passed', xml: element('testcase', attributes, out.length > 0 ? [element('system-out', {}, out.join('\n'))] : []) };
  }
  const message =
    host.error ??
    (cannotReach && traits.junit !== 'failure' ? `${host.name} cannot reach ${reach.registry}: ${reach.detail}`
    : host.status === 'drift' ? `${host.name} has drifted: ${about.filter((l) => !l.includes('\n')).join('; ')}`
    : host.status === 'blocked' && host.blocked.length > 0 ? `${host.name} was not changed: ${host.blocked.join('; ')}`
    : `${host.name} ${traits.means}`);
  const text = [host.error ?? `${host.name} ${traits.means}`, ...host.blocked, ...about, ...seen, ...handlers, ...host.warnings.map((w) => `warning: ${w}`)].join('\n');
  const type = cannotReach && traits.junit !== 'failure' ? 'unreachable-registry' : host.status;
  return { outcome: 'failure', xml: element('testcase', attributes, [element('failure', { message, type }, text)]) };
}

/** What a run limited to some nodes (--limit) keeps of the earlier file: the cases of the schedule's other nodes. */
export interface JUnitCarry {
  /** The earlier file's text (undefined: none). */
  readonly previous: string | undefined;
  /** The plays with every node they select in the whole inventory: a node in none of them is dropped. */
  readonly plays: readonly PlayReport[];
}

/** The run's JUnit XML document; with `carry`, the schedule's nodes this run left out keep their earlier cases. */
export function renderJUnit(document: ConvergeDocument, carry?: JUnitCarry): string {
  const timestamp = document.run.started_at.replace(/\.\d+Z$/, 'Z').replace(/Z$/, '');
  const earlier = earlierCases(carry?.previous);
  const worked = new Set(document.hosts.map((host) => host.name));
  const suites: { xml: string; cases: Case[] }[] = document.plays.map((play) => {
    const subjects = play.subjects.length > 0 ? play.subjects : ['node'];
    const hosts = document.hosts.filter((host) => play.hosts.includes(host.name));
    const kept = new Set(carry?.plays.find((p) => p.name === play.name)?.hosts ?? []);
    const cases = [
      ...hosts.flatMap((host) => subjects.map((subject) => testCase(host, subject, subjects, document.mode))),
      ...(earlier.get(play.name) ?? []).filter((c) => kept.has(c.node) && !worked.has(c.node)),
    ];
    const count = (outcome: Case['outcome']) => cases.filter((c) => c.outcome === outcome).length;
    const time = hosts.reduce((max, host) => Math.max(max, host.duration_ms), 0);
    const xml = element(
      'testsuite',
      { name: play.name, tests: cases.length, failures: count('failure'), errors: 0, skipped: count('skipped'), time: secondsOf(time), timestamp },
      cases.map((c) => c.xml),
    );
    return { xml, cases };
  });
  const all = suites.flatMap((suite) => suite.cases);
  const root = element(
    'testsuites',
    {
      name: `dockhand ${document.mode} ${document.run.playbook}`,
      tests: all.length,
      failures: all.filter((c) => c.outcome === 'failure').length,
      errors: 0,
      skipped: all.filter((c) => c.outcome === 'skipped').length,
      time: secondsOf(document.run.duration_ms),
    },
    suites.map((suite) => suite.xml),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
