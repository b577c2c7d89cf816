/**
 * `insecure_registries` and `registry_mirrors` entries: a string (present), or `{value: ..., state:
 * absent}` to take back exactly that value where dockhand put it.
 */
import { z } from 'zod';
import { formatValue, type DocPath } from './locate.ts';
import type { IssueSink } from './issue-sink.ts';

export const LIST_ENTRY_KEYS = ['value', 'state'] as const;

export interface ListEntry {
  readonly value: string;
  readonly state: 'present' | 'absent';
}

/** One list entry: a string `check` accepts, or `{value, state}`; each mistake is named by its path. */
export function listEntrySchema(check: (value: string) => string | undefined) {
  const text = z.string().superRefine((value, ctx) => {
    const reason = check(value);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
  const object = z.strictObject({ value: text, state: z.enum(['present', 'absent']).nullish() });
  return z.unknown().transform((raw, ctx): ListEntry => {
    if (typeof raw !== 'string' && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      ctx.addIssue({ code: 'custom', message: 'must be a string, or a mapping like {value: ..., state: absent}' });
      return z.NEVER;
    }
    const result = typeof raw === 'string' ? text.safeParse(raw) : object.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    const data = result.data;
    return typeof data === 'string' ? { value: data, state: 'present' } : { value: data.value, state: data.state ?? 'present' };
  });
}

/** One value asked for somewhere in the playbook: a list entry, or what a registry entry implies. */
export interface PlacedValue {
  /** How values compare (case, trailing slash). */
  readonly key: string;
  readonly value: string;
  readonly state: 'present' | 'absent';
  readonly path: DocPath;
  /** Implied by a registry entry (its `insecure`, its `state`), not written in a list. */
  readonly fromRegistry: boolean;
}

/**
 * A value both kept and taken back is refused, naming both places: in one play always, across plays
 * where a node is in both. Two registry entries that disagree are reported by the registry checks, not here.
 */
export function checkPresentAndAbsent(values: readonly PlacedValue[], sink: IssueSink): void {
  const placedSoFar = new Map<string, PlacedValue[]>();
  for (const placed of values) {
    const opposite = placedSoFar.get(`${placed.state === 'present' ? 'absent' : 'present'} ${placed.key}`) ?? [];
    const here = sink.playOf(placed.path);
    const reported = new Set<number>();
    for (const other of opposite) {
      const play = sink.playOf(other.path);
      if (reported.has(play) || (other.fromRegistry && placed.fromRegistry)) continue;
      reported.add(play);
      sink.disagree(
        placed.path,
        other.path,
        `${formatValue(placed.value)} is ${placed.state} here but ${other.state} at ${sink.where(other.path)}: ` +
          'a value is either kept (a string) or taken back ({value: ..., state: absent}), not both',
      );
    }
    if (reported.has(here)) continue; // refused already: not a place later values are compared with
    const key = `${placed.state} ${placed.key}`;
    placedSoFar.set(key, [...(placedSoFar.get(key) ?? []), placed]);
  }
}
