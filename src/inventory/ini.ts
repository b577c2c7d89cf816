/**
 * Ansible INI inventories (KubeSphere's conf/hosts.ini).
 *
 * Hand-written rather than the `ini` package: that package models `key=value` pairs under sections,
 * while an inventory's host lines are `name k=v k2="quoted v"` (a bare name followed by shell-like
 * words), `[g:children]` lines are bare names, and errors must name the line. None of that fits.
 */
import { InputError } from '../errors.ts';
import { InventoryBuilder } from './builder.ts';
import { parseVarLine, shownLine, splitAssignment, splitWords, type Fail, type Warn } from './ini-line.ts';
import { parseHostPattern } from './range.ts';
import type { Inventory, Vars } from './types.ts';

type SectionKind = 'hosts' | 'vars' | 'children';

interface Section {
  readonly group: string;
  readonly kind: SectionKind;
  readonly line: number | undefined;
}

const SECTION = /^\[([^\]]*)\]\s*(?:[#;].*)?$/;
const KINDS: readonly string[] = ['hosts', 'vars', 'children'];

/** Parses the text of an Ansible INI inventory; `file` names it in errors. */
export function parseIniInventory(text: string, file: string): Inventory {
  const builder = new InventoryBuilder(file);
  readIniInventory(builder, text);
  return builder.build();
}

/** Reads the text of an INI inventory into `builder` (its current source). */
export function readIniInventory(builder: InventoryBuilder, text: string): void {
  const file = builder.file;
  let section: Section = { group: 'ungrouped', kind: 'hosts', line: undefined };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const fail: Fail = (message) => {
      throw new InputError('E_INVENTORY', file, lineNo, message);
    };
    const warn: Warn = (message) => builder.warn(lineNo, message);
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      section = parseSection(line, lineNo, fail);
      if (section.kind !== 'vars') builder.defineGroup(section.group);
      return;
    }
    switch (section.kind) {
      case 'hosts':
        addHostLine(builder, section.group, line, lineNo, fail, warn);
        break;
      case 'children':
        addChildLine(builder, section.group, line, lineNo, fail);
        break;
      case 'vars': {
        const [key, value] = parseVarLine(line, fail);
        builder.setGroupVars(section.group, { [key]: value }, section.line, { [key]: { file, line: lineNo } });
        break;
      }
    }
  });
}

/** `[group]`, `[group:vars]`, `[group:children]` (and Ansible's explicit `[group:hosts]`). */
function parseSection(line: string, lineNo: number, fail: Fail): Section {
  const match = SECTION.exec(line);
  if (!match) return fail(`malformed section header "${shownLine(line)}" (expected [group], [group:vars] or [group:children])`);
  const body = match[1] ?? '';
  const colon = body.indexOf(':');
  const group = (colon < 0 ? body : body.slice(0, colon)).trim();
  const kind = colon < 0 ? 'hosts' : body.slice(colon + 1).trim();
  if (group === '' || /\s/.test(group)) return fail(`invalid group name "${shownLine(group)}" in section "${shownLine(line)}"`);
  if (!KINDS.includes(kind)) {
    return fail(`section "${shownLine(line)}" has unknown kind "${shownLine(kind)}" (expected :vars or :children)`);
  }
  return { group, kind: kind as SectionKind, line: lineNo };
}

/** `name[:port] k=v …`: one or more hosts (ranges expand) with their vars, made members of `group`. */
function addHostLine(builder: InventoryBuilder, group: string, line: string, lineNo: number, fail: Fail, warn: Warn): void {
  const [first, ...rest] = splitWords(line, fail, warn);
  if (!first) return;
  if (first.text.includes('=')) {
    fail(`a host line starts with a host name, got "${shownLine(first.text)}": key=value lines belong in a [${group}:vars] section`);
  }
  const vars: Vars = {};
  for (const word of rest) {
    const [key, value] = splitAssignment(word, fail);
    vars[key] = value;
  }
  const pattern = parseHostPattern(first.text, { file: builder.file, line: lineNo });
  if (pattern.port !== undefined) vars['ansible_port'] ??= Number(pattern.port);
  for (const name of pattern.names) builder.addHost(name, vars, lineNo, group);
}

/** A `[parent:children]` line: one group name. */
function addChildLine(builder: InventoryBuilder, parent: string, line: string, lineNo: number, fail: Fail): void {
  const words = splitWords(line, fail);
  const [child, extra] = words;
  if (!child) return;
  if (extra) return fail(`a [${parent}:children] line holds one group name, got "${shownLine(line)}"`);
  builder.addChild(parent, child.text, lineNo);
}
