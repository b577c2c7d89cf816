import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { literalEval } from '../../../src/inventory/python-literal.ts';

/**
 * Each row: the text, and what Python 3.11's ast.literal_eval gives for it (undefined where it raises
 * ValueError or SyntaxError, so Ansible keeps the text). Recorded with python3; complex numbers, which
 * have no JSON form, are kept as text on purpose. Tuples and sets read as lists.
 */
const PYTHON: Array<[string, unknown]> = [
  ["42", 42],
  ["-5", -5],
  ["+1.5", 1.5],
  ["0x10", 16],
  ["0o17", 15],
  ["0b101", 5],
  ["1_000", 1000],
  ["0123", undefined],
  ["00", 0],
  ["1e3", 1000.0],
  [".5", 0.5],
  ["5.", 5.0],
  ["1.2.3", undefined],
  ["1e", undefined],
  ["True", true],
  ["False", false],
  ["None", null],
  ["true", undefined],
  ["'a'", "a"],
  ["\"a\"", "a"],
  ["'a' 'b'", "ab"],
  ["'it''s'", "its"],
  ["u'x'", "x"],
  ["b'x'", "x"],
  ["r'\\n'", "\\n"],
  ["'\\n'", "\n"],
  ["'\\x41\\u00e9'", "A\u00e9"],
  ["'''tri'''", "tri"],
  ["f'x'", undefined],
  ["'a' b", undefined],
  ["[1, 2,]", [1, 2]],
  ["(1,)", [1]],
  ["(1)", 1],
  ["()", []],
  ["{}", {}],
  ["{'a': 1, 2: 'b'}", {"a": 1, "2": "b"}],
  ["{1, 2}", [1, 2]],
  ["set()", []],
  ["[1, [2, {'k': (3,)}]]", [1, [2, {"k": [3]}]]],
  ["--1", undefined],
  ["- 5", -5],
  ["+True", undefined],
  ["1+2j", undefined],
  ["2j", undefined],
  ["'a' # c", "a"],
  ["42 # c", 42],
  ["pa55 #word", undefined],
  ["value # comment", undefined],
  ["  7", 7],
  ["x", undefined],
  ["'unterminated", undefined],
  ["[1, 2", undefined],
  ["1abc", undefined],
  ["0x", undefined],
  ["12345678901234567890", 12345678901234567890n],
  ["'\\q'", "\\q"],
  ["'a\\\\b'", "a\\b"],
  ["\"say \\\"hi\\\"\"", "say \"hi\""],
];

describe('literalEval: the values Ansible gives INI inventory text', () => {
  it.each(PYTHON)('%s', (text, expected) => {
    expect(literalEval(text)).toEqual(expected);
  });

  it('reads any JSON-safe string Python would write with repr-like quoting (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
        expect(literalEval(quoted)).toBe(value);
      }),
    );
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(fc.property(fc.string(), (text) => { literalEval(text); }));
  });
});
