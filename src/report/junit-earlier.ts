/**
 * The test cases of the JUnit file an earlier run of dockhand wrote, so that a run limited to some nodes
 * (--limit) keeps the cases of the schedule's other nodes as their last run left them. Only dockhand's own
 * files are read back (xml.ts escapes every `<`, `>` and `"` in text and attributes, so its elements can be
 * found by their tags); a file anyone else wrote keeps nothing.
 */
import { unescapeAttribute } from './xml.ts';

export interface EarlierCase {
  /** The node (the case's classname). */
  readonly node: string;
  readonly outcome: 'passed' | 'failure' | 'skipped';
  /** The <testcase> element as it was written. */
  readonly xml: string;
}

const attribute = (attributes: string, name: string): string | undefined => {
  const match = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes);
  return match === null ? undefined : unescapeAttribute(match[1]!);
};

/** The cases of an earlier file of dockhand's, by suite (play) name. */
export function earlierCases(xml: string | undefined): Map<string, EarlierCase[]> {
  const suites = new Map<string, EarlierCase[]>();
  if (xml === undefined || !/^<\?xml [^>]*\?>\n<testsuites name="dockhand /.test(xml)) return suites;
  for (const suite of xml.matchAll(/<testsuite ([^>]*?)(?:\/>|>([\s\S]*?)<\/testsuite>)/g)) {
    const name = attribute(suite[1]!, 'name');
    if (name === undefined) continue;
    const cases: EarlierCase[] = [];
    for (const found of (suite[2] ?? '').matchAll(/<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const node = attribute(found[1]!, 'classname');
      const body = found[2] ?? '';
      const outcome = body.includes('<failure ') ? 'failure' : body.includes('<skipped ') ? 'skipped' : 'passed';
      if (node !== undefined) cases.push({ node, outcome, xml: found[0] });
    }
    suites.set(name, [...(suites.get(name) ?? []), ...cases]);
  }
  return suites;
}
