/**
 * /etc/hosts: registry names pinned in one managed block. glibc answers with the first line that
 * matches (IPv6 lines first for `getent hosts`), so a stale line for a pinned name elsewhere in the
 * file cannot stay: it is commented out whole (`# dockhand replaced: ...`), its other names kept on a
 * line right below it (marked), so unpinning the name puts the administrator's line back exactly.
 * Every other line stays byte-for-byte; CRLF line ends are understood and kept.
 */

export const HOSTS_PATH = '/etc/hosts';
export const BLOCK_BEGIN = '# BEGIN dockhand registry names (managed by dockhand; edits inside are replaced)';
export const BLOCK_END = '# END dockhand registry names';
const REPLACED = '# dockhand replaced: ';
/** Ends the line that carries a replaced line's other names. */
const REST = '# dockhand: the other names of the line above';

export interface HostPin {
  readonly name: string;
  readonly ip: string;
}

export interface HostsEdit {
  readonly pin: readonly HostPin[];
  /** Names whose pin goes (registries now absent). */
  readonly unpin: readonly string[];
}

/** Lines with their own line ends, so joining them gives the file back exactly. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function parseEntry(line: string): { ip: string; names: string[] } | undefined {
  const content = line.replace(/\r?\n$/, '').replace(/#.*$/, '').trim();
  if (content === '') return undefined;
  const [ip, ...names] = content.split(/\s+/);
  return ip === undefined ? undefined : { ip, names };
}

/** A line's ending (LF or CRLF, or none at the end of the file). */
function ending(line: string): string {
  return /\r?\n$/.exec(line)?.[0] ?? '';
}

/** The administrator's line a `# dockhand replaced:` line holds, or undefined. */
function replacedLine(line: string): string | undefined {
  return line.startsWith(REPLACED) ? line.slice(REPLACED.length) : undefined;
}

/** The names a hosts file resolves, first match wins: name (lower case) -> ip. */
export function resolveFromHosts(text: string): Map<string, string> {
  const answers = new Map<string, string>();
  const lines = splitLines(text).map(parseEntry).filter((e) => e !== undefined);
  for (const pass of [true, false]) {
    for (const entry of lines) {
      if (entry.ip.includes(':') !== pass) continue;
      for (const name of entry.names) if (!answers.has(name.toLowerCase())) answers.set(name.toLowerCase(), entry.ip);
    }
  }
  return answers;
}

/** The new /etc/hosts content for these pins. */
export function editHosts(current: string, edit: HostsEdit): string {
  const lines = splitLines(current);
  const begin = lines.findIndex((line) => line.trimEnd() === BLOCK_BEGIN);
  const end = begin >= 0 ? lines.findIndex((line, i) => i > begin && line.trimEnd() === BLOCK_END) : -1;
  const hasBlock = begin >= 0 && end > begin;

  const pinned = new Map(edit.pin.map((pin) => [pin.name.toLowerCase(), pin]));
  const dropped = new Set(edit.unpin.map((name) => name.toLowerCase()));

  // The block: earlier pins kept in place (re-pinned where asked), new pins after them.
  const blockEntries: HostPin[] = [];
  if (hasBlock) {
    for (const line of lines.slice(begin + 1, end)) {
      const entry = parseEntry(line);
      for (const name of entry?.names ?? []) {
        const key = name.toLowerCase();
        if (dropped.has(key) || blockEntries.some((e) => e.name.toLowerCase() === key)) continue;
        blockEntries.push(pinned.get(key) ?? { name, ip: entry!.ip });
      }
    }
  }
  for (const pin of edit.pin) {
    if (!blockEntries.some((e) => e.name.toLowerCase() === pin.name.toLowerCase())) blockEntries.push(pin);
  }

  // Outside the block: first the administrator's lines come back for names no longer pinned
  // (with the marked line of their other names), then any line giving a pinned name another address
  // is replaced.
  const restored: string[] = [];
  const rest = hasBlock ? [...lines.slice(0, begin), ...lines.slice(end + 1)] : lines;
  for (let i = 0; i < rest.length; i += 1) {
    const line = rest[i]!;
    const original = replacedLine(line);
    const names = original === undefined ? [] : (parseEntry(original)?.names ?? []);
    if (original !== undefined && names.some((name) => dropped.has(name.toLowerCase()))) {
      restored.push(original);
      if (rest[i + 1]?.replace(/\r?\n$/, '').endsWith(REST)) i += 1;
      continue;
    }
    restored.push(line);
  }
  const outside = restored.flatMap((line) => {
    const entry = parseEntry(line);
    if (!entry) return [line];
    const stale = entry.names.filter((name) => {
      const pin = pinned.get(name.toLowerCase());
      return pin !== undefined && pin.ip !== entry.ip;
    });
    if (stale.length === 0) return [line];
    const others = entry.names.filter((name) => !stale.includes(name));
    const eol = ending(line) || '\n';
    return [`${REPLACED}${line}${ending(line) ? '' : '\n'}`, ...(others.length > 0 ? [`${entry.ip}\t${others.join(' ')} ${REST}${eol}`] : [])];
  });

  const block =
    blockEntries.length === 0 ? [] : [`${BLOCK_BEGIN}\n`, ...blockEntries.map((e) => `${e.ip}\t${e.name}\n`), `${BLOCK_END}\n`];
  const head = hasBlock ? outside.slice(0, begin) : outside;
  const tail = hasBlock ? outside.slice(begin) : [];
  if (!hasBlock && block.length > 0) {
    const last = head[head.length - 1];
    if (last !== undefined && !last.endsWith('\n')) head[head.length - 1] = `${last}\n`;
  }
  return [...head, ...block, ...tail].join('');
}
