import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadInventory } from '../../../src/inventory/index.ts';
import { fixture } from './helpers.ts';

/** Each broken fixture, the line the error must name, and what the message must say. */
const CASES: Array<[file: string, line: number, message: RegExp]> = [
  ['unknown-section.ini', 4, /section "\[web:foo\]" has unknown kind "foo"/],
  ['malformed-header.ini', 1, /malformed section header "\[web"/],
  ['bad-range.ini', 3, /malformed host range in "web\[01:x\]"/],
  ['unclosed-range.ini', 3, /malformed host range in "web\[1:3": "\[" without "\]"/],
  ['reversed-range.ini', 3, /malformed host range in "web\[5:1\]": begin must not be greater than end/],
  ['padded-width.ini', 2, /zero-padded begin and its end must have the same width/],
  ['missing-value.ini', 4, /variable "ansible_port" has no value/],
  ['bare-word.ini', 2, /expected key=value after the host name, got a word without "=" \(12 characters\)/],
  ['undefined-child.ini', 6, /\[all:children\] names group "missing", which is never defined/],
  ['cycle.ini', 8, /group "a" is its own descendant: a → b → c → a/],
  ['vars-not-kv.ini', 6, /expected key=value in a :vars section, got a line without "="/],
  ['vars-undefined-group.ini', 4, /\[ghost:vars\] sets vars on group "ghost", which is never defined/],
  ['unterminated-quote.ini', 2, /unterminated double quote/],
  ['hosts-list.yml', 4, /"hosts" of group "web" must be a mapping of host names to vars, got a list/],
  ['vars-list.yml', 4, /group "all" vars must be a mapping of variable names to values, got a list/],
  ['host-vars-scalar.yml', 5, /host "web2" must be a mapping of variable names to values, got string "just-a-string"/],
  ['unknown-key.yml', 4, /group "all" has unknown key "hostz"/],
  ['duplicate-host.yml', 4, /host "web1" under "hosts" of group "all" appears twice/],
  ['bad-indent.yml', 3, /invalid YAML: Tabs are not allowed as indentation$/],
  ['unclosed-flow.yml', 5, /invalid YAML: /],
  ['bad-range.yml', 5, /malformed host range in "web\[1:x\]"/],
  ['top-list.yml', 1, /the top level must be a mapping of group names, got a list/],
  ['cycle.yml', 7, /group "a" is its own descendant: a → b → a/],
];

describe('inventory errors name the file and line', () => {
  it.each(CASES)('%s:%i', async (name, line, message) => {
    const file = fixture(`errors/${name}`);
    const error = await loadInventory(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const input = error as InputError;
    expect(input.code).toBe('E_INVENTORY');
    expect(input.file).toBe(file);
    expect(input.line).toBe(line);
    expect(input.message.startsWith(`${file}:${line}: `)).toBe(true);
    expect(input.message).toMatch(message);
  });
});
