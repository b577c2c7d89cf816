import fc from 'fast-check';
import { parse } from 'junit2json';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { renderJUnit } from '../../../src/report/junit.ts';
import { element } from '../../../src/report/xml.ts';
import { checkDocument, CIDR, host, HTTP, HTTPS } from './documents.ts';

/** Parse strictly (XML 1.0 well-formedness, characters included); the root element's attributes and text. */
function strictParse(xml: string): { attributes: Record<string, string>; text: string } {
  const parser = new SaxesParser();
  let attributes: Record<string, string> = {};
  let text = '';
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.on('opentag', (tag) => {
    if (Object.keys(attributes).length === 0) attributes = tag.attributes as Record<string, string>;
  });
  parser.on('text', (t) => (text += t));
  parser.write(xml).close();
  if (error) throw error;
  return { attributes, text };
}

describe('JUnit report', () => {
  it('reads in a JUnit consumer: a testsuite per play, a testcase per node and registry, drift and failures as <failure>', async () => {
    const parsed = await parse(renderJUnit(checkDocument()));
    const suite = (parsed as { testsuite?: NonNullable<Awaited<ReturnType<typeof parse>>>[] }).testsuite;
    expect(suite).toHaveLength(1);
    const play = (parsed as { testsuite: { name: string; tests: number; failures: number; skipped: number; testcase: { classname: string; name: string; failure?: { message: string; type: string; inner?: string }[]; skipped?: { message: string }[] }[] }[] }).testsuite[0]!;
    expect(play.name).toBe('Trust the lab registries');
    expect(play.tests).toBe(12);
    const outcome = (node: string, subject: string) => {
      const c = play.testcase.find((t) => t.classname === node && t.name === subject)!;
      return c.failure ? 'failure' : c.skipped ? 'skipped' : 'passed';
    };
    for (const subject of [HTTP, HTTPS, CIDR]) expect(outcome('deb1', subject)).toBe('passed');
    // deb2 drifted only in the http registry's pin
    expect(outcome('deb2', HTTP)).toBe('failure');
    expect(outcome('deb2', HTTPS)).toBe('passed');
    expect(outcome('deb2', CIDR)).toBe('passed');
    for (const subject of [HTTP, HTTPS, CIDR]) expect(outcome('rhel1', subject)).toBe('failure');
    for (const subject of [HTTP, HTTPS, CIDR]) expect(outcome('deb3', subject)).toBe('skipped');
    expect(play.failures).toBe(4);
    expect(play.skipped).toBe(3);
    const drift = play.testcase.find((t) => t.classname === 'deb2' && t.name === HTTP)!.failure![0]!;
    expect(drift.type).toBe('drift');
    expect(drift.inner).toContain('would update hosts /etc/hosts');
    const refused = play.testcase.find((t) => t.classname === 'rhel1')!.failure![0]!;
    expect(refused.message).toContain('daemon.json is not valid JSON');
    expect(play.testcase.find((t) => t.classname === 'deb3')!.skipped![0]!.message).toContain('ECONNREFUSED');
  });

  it('a blocked node fails the subjects its change is about, saying why it was not made (issue 20, item 1)', async () => {
    const blocked = host('deb2', 'blocked', {
      changes: [{ resource: 'docker-options', path: '/etc/systemd/system/docker.service.d/docker-options.conf', action: 'update', diff: null, concerns: [HTTP] }],
      handlers: ['daemon-reload', 'restart-docker'],
      blocked: ['docker restart needed, not allowed: not allowed by restart: if-idle (1 running container, live-restore off)'],
    });
    const parsed = (await parse(renderJUnit({ ...checkDocument([blocked]), mode: 'apply' }))) as { testsuite: { testcase: { name: string; failure?: { message: string; type: string; inner?: string }[] }[] }[] };
    const cases = parsed.testsuite[0]!.testcase;
    const failure = cases.find((c) => c.name === HTTP)!.failure![0]!;
    expect(failure.type).toBe('blocked');
    expect(failure.message).toContain('not allowed by restart: if-idle (1 running container');
    expect(failure.inner).toContain('update docker-options /etc/systemd/system/docker.service.d/docker-options.conf');
    expect(failure.inner).toContain('handlers needed, not run: daemon-reload, restart-docker');
    expect(cases.find((c) => c.name === HTTPS)!.failure).toBeUndefined();
    expect(cases.find((c) => c.name === CIDR)!.failure).toBeUndefined();
  });

  it('fails every subject of a node whose drift is only an owed restart', async () => {
    const xml = renderJUnit(checkDocument([host('deb1', 'drift', { handlers: ['restart-docker'] })]));
    expect(xml.match(/<failure /g)).toHaveLength(3);
  });

  it('stays well-formed XML 1.0 whatever a node printed: escapes, control characters, lone surrogates (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (message, text) => {
        const { attributes, text: parsedText } = strictParse(element('failure', { message }, text));
        const expected = (s: string) =>
          s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
        // a parser normalises CR and CRLF in text to LF; attributes keep them as character references
        expect(attributes['message']).toBe(expected(message));
        expect(parsedText).toBe(expected(text).replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a multi-line reason in a failure message (newlines are character references, not spaces)', () => {
    expect(strictParse(element('failure', { message: 'a\nb\tc\r' })).attributes['message']).toBe('a\nb\tc\r');
  });
});
