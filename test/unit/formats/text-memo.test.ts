import { describe, expect, it } from 'vitest';
import { memoByText } from '../../../src/formats/text-memo.ts';

describe('memoByText: a parse remembered by its input', () => {
  it('parses each text once, null results included', () => {
    const seen: string[] = [];
    const parse = memoByText((text: string) => {
      seen.push(text);
      return text === 'bad' ? null : { length: text.length };
    });
    const first = parse('abc');
    expect(parse('abc')).toBe(first);
    expect(parse('bad')).toBeNull();
    expect(parse('bad')).toBeNull();
    expect(seen).toEqual(['abc', 'bad']);
  });

  it('holds no more than its capacity: the oldest text is parsed again', () => {
    const seen: string[] = [];
    const parse = memoByText((text: string) => seen.push(text), 2);
    for (const text of ['a', 'b', 'c', 'b', 'a']) parse(text);
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });
});
