/**
 * A node's status in a converge report, and everything each reporter needs to know about one. The
 * traits are a mapped type over the statuses: a new status that some reporter cannot render is a
 * type error here, not a blank cell in a report.
 */
import type { Colour } from './style.ts';

export const CONVERGE_STATUSES = ['ok', 'changed', 'drift', 'blocked', 'failed', 'unreachable', 'rolled_back', 'skipped'] as const;
export type ConvergeStatus = (typeof CONVERGE_STATUSES)[number];

export interface StatusTraits {
  /** How a terminal shows it. */
  readonly colour: Colour;
  /** What a JUnit consumer sees: passed, a failure, or skipped. */
  readonly junit: 'passed' | 'failure' | 'skipped';
  /** Shown with --quiet (failures and drift); the rest only in the recap's totals. */
  readonly loud: boolean;
  /** What the sentence "the node ..." says, for a node without an error message. */
  readonly means: string;
}

export const STATUS: { readonly [S in ConvergeStatus]: StatusTraits } = {
  ok: { colour: 'green', junit: 'passed', loud: false, means: 'is converged: nothing to do, the registry in effect' },
  changed: { colour: 'yellow', junit: 'passed', loud: false, means: 'was converged by this run' },
  drift: { colour: 'magenta', junit: 'failure', loud: true, means: 'has drifted from the playbook' },
  blocked: { colour: 'yellow', junit: 'failure', loud: true, means: 'was not changed: the change it needs is not allowed now, so its drift stays' },
  failed: { colour: 'red', junit: 'failure', loud: true, means: 'failed' },
  unreachable: { colour: 'red', junit: 'skipped', loud: true, means: 'could not be reached' },
  rolled_back: { colour: 'red', junit: 'failure', loud: true, means: 'was rolled back: its runtime refused the change' },
  skipped: { colour: 'gray', junit: 'skipped', loud: false, means: 'was not started' },
};

export function isConvergeStatus(value: string): value is ConvergeStatus {
  return (CONVERGE_STATUSES as readonly string[]).includes(value);
}
