/**
 * The plays of a run as reports name them: which nodes each selected, and its subjects (each registry,
 * extra insecure registry and mirror). A change or a missing effect is about a subject when it names it.
 */
import type { Playbook } from '../playbook/types.ts';
import { hostName } from '../registry/name.ts';

export interface PlayReport {
  readonly name: string;
  /** The nodes of this run the play selected. */
  readonly hosts: string[];
  /** What the play asks for, one line each: "registry HOST", "insecure registry CIDR", "registry mirror URL". */
  readonly subjects: string[];
}

/** Each play's report, its hosts taken from `hostsOf` (the play's pattern, limited to this run's nodes). */
export function playReports(playbook: Playbook, hostsOf: (pattern: string) => string[]): PlayReport[] {
  return playbook.plays.map((play) => ({
    name: play.name,
    hosts: hostsOf(play.hosts),
    subjects: [
      ...play.registries.map((registry) => `registry ${registry.host}`),
      ...play.insecureRegistries.map((value) => `insecure registry ${value}`),
      ...play.registryMirrors.map((value) => `registry mirror ${value}`),
    ],
  }));
}

/** What a subject is named by in files and in dockerd's view: a host without port or brackets, a CIDR, a URL. */
function token(subject: string): string {
  const value = subject.slice(subject.lastIndexOf(' ') + 1);
  if (!subject.startsWith('registry ') || subject.startsWith('registry mirror ')) return value.replace(/\/+$/, '');
  return hostName(value);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The subjects these texts name (a whole word: `reg.io` is not named by `my-reg.io`); all of them when none is. */
export function concerns(subjects: readonly string[], texts: readonly string[]): string[] {
  const named = subjects.filter((subject) => {
    const word = new RegExp(`(^|[^A-Za-z0-9.-])${escape(token(subject))}($|[^A-Za-z0-9.-])`, 'i');
    return texts.some((text) => word.test(text));
  });
  return named.length > 0 ? named : [...subjects];
}
