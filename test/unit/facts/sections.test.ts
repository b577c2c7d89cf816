import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../../src/errors.ts';
import { parseCompleteSections, parseSections } from '../../../src/formats/sections.ts';

describe('parseSections', () => {
  it('keeps file contents byte-exact, with or without a trailing newline', () => {
    const out = '\n@@dockhand:begin 1@@\n\n@@dockhand:a@@\nno newline\n@@dockhand:b /etc/x y@@\nline\n\n\n@@dockhand:empty@@\n\n@@dockhand:end@@\n';
    expect(parseSections(out)).toEqual([
      { name: 'begin', arg: '1', content: '' },
      { name: 'a', arg: null, content: 'no newline' },
      { name: 'b', arg: '/etc/x y', content: 'line\n\n' },
      { name: 'empty', arg: null, content: '' },
      { name: 'end', arg: null, content: '' },
    ]);
  });

  it('ignores text before the first marker (a motd, a sudo lecture)', () => {
    expect(parseSections('Welcome!\n@@dockhand:begin 1@@\n\n@@dockhand:end@@\n').map((s) => s.name)).toEqual(['begin', 'end']);
  });

  it('does not take a marker-like string inside a line as a marker', () => {
    const [, a] = parseSections('\n@@dockhand:begin 1@@\n\n@@dockhand:a@@\nx @@dockhand:b@@\n\n@@dockhand:end@@');
    expect(a).toEqual({ name: 'a', arg: null, content: 'x @@dockhand:b@@\n' });
  });

  it('accepts CRLF output', () => {
    expect(parseSections('\r\n@@dockhand:hostname@@\r\nh1\r\n').at(0)).toEqual({ name: 'hostname', arg: null, content: 'h1\n' });
  });
});

describe('parseCompleteSections', () => {
  it('rejects output without the begin marker', () => {
    expect(() => parseCompleteSections('sudo: a password is required\n')).toThrow(DockhandError);
  });

  it('rejects truncated output', () => {
    expect(() => parseCompleteSections('\n@@dockhand:begin 1@@\n\n@@dockhand:hostname@@\nh\n')).toThrow(/truncated/);
  });
});
