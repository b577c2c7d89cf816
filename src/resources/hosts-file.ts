/**
 * /etc/hosts: registry names pinned in one managed block. glibc answers with the first line that
 * matches (IPv6 lines first for `getent hosts`), so a stale line for a pinned name elsewhere in the
 * file loses that name (the line is commented out when no name is left). Every other line stays
 * byte-for-byte.
 */

export const HOSTS_PATH = '/etc/hosts';
export const BLOCK_BEGIN = '# BEGIN dockhand registry names (managed by dockhand; edits inside are replaced)';
export const BLOCK_END = '# END dockhand registry names';
const REPLACED = '# dockhand replaced: ';

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

/** Drop one name from a hosts line, keeping the rest of its bytes. */
function withoutName(line: string, name: string): string {
  const ending = line.endsWith('\n') ? '\n' : '';
  const body = ending ? line.slice(0, -1) : line;
  const hash = body.indexOf('#');
  const data = hash >= 0 ? body.slice(0, hash) : body;
  const comment = hash >= 0 ? body.slice(hash) : '';
  const pattern = new RegExp(`([ \\t]+)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[ \\t]|$)`, 'i');
  return `${data.replace(pattern, '')}${comment}${ending}`;
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

  // Outside the block: a pinned name leaves any line that gives it another address.
  const outside = (hasBlock ? [...lines.slice(0, begin), ...lines.slice(end + 1)] : lines).map((line) => {
    const entry = parseEntry(line);
    if (!entry) return line;
    let edited = line;
    for (const name of entry.names) {
      const pin = pinned.get(name.toLowerCase());
      if (pin && pin.ip !== entry.ip) edited = withoutName(edited, name);
    }
    if (edited !== line && parseEntry(edited)?.names.length === 0) return `${REPLACED}${line}`;
    return edited;
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
