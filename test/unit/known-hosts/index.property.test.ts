// The known_hosts index gives, for any file and any host, the verdict a scan of every entry gives (the
// way checkHostKey worked before the index): same status, same expected types, same line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatKnownHostsLine,
  hostsMatch,
  KnownHostsIndex,
  checkHostKey,
  knownHostsName,
  parseKnownHosts,
  type HostKeyCheck,
  type KnownHostEntry,
} from '../../../src/connection/known-hosts.ts';

const KEYS = ['AAAAC3NzaC1lZDI1NTE5AAAAIA==', 'AAAAC3NzaC1lZDI1NTE5AAAAIQ==', 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY='];
const TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256'];
const HOSTS = ['n1.lab', 'N2.lab', '10.0.0.1', 'n3.lab'];

const same = (a: string, b: string) => a !== '' && b !== '' && Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));

/** The reference: every entry scanned for every lookup. */
function scanned(entries: readonly KnownHostEntry[], host: string, port: number, keyType: string, key: string): HostKeyCheck {
  if (entries.some((e) => e.marker === 'revoked' && e.keyType === keyType && same(e.keyBase64, key))) return { status: 'revoked' };
  const name = knownHostsName(host, port);
  const forHost = entries.filter((e) => e.marker === null && hostsMatch(e.hosts, name));
  if (forHost.some((e) => e.keyType === keyType && same(e.keyBase64, key))) return { status: 'match' };
  const conflicting = forHost.find((e) => e.keyType === keyType);
  if (conflicting === undefined) return { status: 'unknown' };
  return { status: 'mismatch', expectedTypes: [...new Set(forHost.map((e) => e.keyType))], line: conflicting.line };
}

const hostField = fc.oneof(
  fc.constantFrom(...HOSTS).map((h) => h),
  fc.constantFrom(...HOSTS).map((h) => `[${h}]:2222`),
  fc.constantFrom('n*.lab', '!n1.lab,*.lab', '10.0.0.?', 'N1.LAB,n3.lab', '*'),
);
const line = fc.oneof(
  fc.tuple(fc.constantFrom('', '@revoked ', '@cert-authority '), hostField, fc.constantFrom(...TYPES), fc.constantFrom(...KEYS))
    .map(([marker, hosts, type, key]) => `${marker}${hosts} ${type} ${key}`),
  fc.tuple(fc.constantFrom(...HOSTS), fc.constantFrom(22, 2222), fc.constantFrom(...TYPES), fc.constantFrom(...KEYS))
    .map(([h, port, type, key]) => formatKnownHostsLine(h, port, type, key, { hash: true })),
);

describe('the known_hosts index', () => {
  it('gives the verdict a scan of every entry gives, for any file and host', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.constantFrom(...HOSTS), fc.constantFrom(22, 2222), fc.constantFrom(...TYPES), fc.constantFrom('', ...KEYS), (lines, host, port, type, key) => {
        const entries = parseKnownHosts(lines.join('\n'));
        const index = new KnownHostsIndex(entries);
        expect(checkHostKey(index, host, port, type, key)).toEqual(scanned(entries, host, port, type, key));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds an entry added after it was built, in file order with the others', () => {
    const index = new KnownHostsIndex(parseKnownHosts('*.lab ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n'));
    for (const entry of parseKnownHosts('n1.lab ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=\n')) index.add(entry);
    expect(index.forHost('n1.lab').map((e) => e.keyType)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });
});
