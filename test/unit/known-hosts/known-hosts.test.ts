import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  hostsMatch,
  knownHostsName,
  matchPattern,
  parseKnownHosts,
} from '../../../src/connection/known-hosts.ts';

interface SshKeygenFixture {
  name: string;
  keys: { ed25519: string; ecdsa: string; rsa: string; otherEd25519: string };
  fingerprints: { ed25519: string; ecdsa: string; rsa: string; otherEd25519: string };
  plain: string[];
  hashed: string[];
}

const fixtures = join(import.meta.dirname, 'fixtures');
const keygen = JSON.parse(readFileSync(join(fixtures, 'ssh-keygen-hashed.json'), 'utf8')) as SshKeygenFixture;
const mixed = parseKnownHosts(readFileSync(join(fixtures, 'mixed.known_hosts'), 'utf8'));
const { ed25519: ED, ecdsa: EC, rsa: RSA, otherEd25519: ED_REVOKED } = keygen.keys;

/** A fresh ed25519 public key blob (base64), as ssh would present it. */
function freshEd25519(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(der.subarray(-32))]).toString('base64');
}

describe('parseKnownHosts', () => {
  it('skips comments, blank lines and unknown markers; keeps line numbers', () => {
    expect(mixed.map((e) => [e.line, e.marker, e.keyType])).toEqual([
      [3, null, 'ssh-ed25519'],
      [4, null, 'ecdsa-sha2-nistp256'],
      [5, null, 'ssh-ed25519'],
      [6, null, 'ssh-rsa'],
      [7, null, 'ssh-ed25519'],
      [8, 'revoked', 'ssh-ed25519'],
      [9, 'cert-authority', 'ssh-ed25519'],
      [12, null, 'ssh-rsa'],
    ]);
    expect(mixed[0]?.comment).toBe('node1 comment');
    expect(mixed[0]?.hosts).toEqual({
      kind: 'patterns',
      patterns: [
        { pattern: 'node1.lab.local', negated: false },
        { pattern: '10.0.0.11', negated: false },
      ],
    });
    expect(mixed[4]?.hosts.kind).toBe('hashed');
  });

  it('ignores SSH1-style and truncated lines', () => {
    expect(parseKnownHosts('old.host 2048 35 123456\nhost-only\nhost ssh-ed25519\n')).toEqual([]);
  });
});

describe('checkHostKey', () => {
  const cases: [string, string, number, string, string, unknown][] = [
    ['plain host, port 22', 'node1.lab.local', 22, 'ssh-ed25519', ED, { status: 'match' }],
    ['second name of a comma list', '10.0.0.11', 22, 'ssh-ed25519', ED, { status: 'match' }],
    ['host names are case-insensitive', 'NODE1.Lab.Local', 22, 'ssh-ed25519', ED, { status: 'match' }],
    ['a second key type on its own line', 'node1.lab.local', 22, 'ssh-rsa', RSA, { status: 'match' }],
    ['[host]:port entry', 'node2.lab.local', 2222, 'ecdsa-sha2-nistp256', EC, { status: 'match' }],
    ['[host]:port entry does not cover port 22', 'node2.lab.local', 22, 'ecdsa-sha2-nistp256', EC, { status: 'unknown' }],
    ['plain entry does not cover another port', 'node1.lab.local', 2200, 'ssh-ed25519', ED, { status: 'unknown' }],
    ['wildcard *', 'w7.pool.lab.local', 22, 'ssh-ed25519', ED, { status: 'match' }],
    ['negated pattern excludes', 'bad.pool.lab.local', 22, 'ssh-ed25519', ED, { status: 'unknown' }],
    ['wildcard ? matches one character', 'db1.lab.local', 22, 'ssh-rsa', RSA, { status: 'match' }],
    ['wildcard ? matches exactly one character', 'db12.lab.local', 22, 'ssh-rsa', RSA, { status: 'unknown' }],
    ['hashed entry', 'hashed.lab.local', 22, 'ssh-ed25519', ED, { status: 'match' }],
    ['hashed entry, other key', 'hashed.lab.local', 22, 'ssh-ed25519', freshEd25519(), { status: 'mismatch', expectedTypes: ['ssh-ed25519'], line: 7 }],
    ['same type, other key', 'node1.lab.local', 22, 'ssh-rsa', 'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7', { status: 'mismatch', expectedTypes: ['ssh-ed25519', 'ssh-rsa'], line: 12 }],
    ['only other types known: unknown, like OpenSSH', 'node2.lab.local', 2222, 'ssh-ed25519', ED, { status: 'unknown' }],
    ['revoked key, any host', 'node1.lab.local', 22, 'ssh-ed25519', ED_REVOKED, { status: 'revoked' }],
    ['revoked key on an unknown host', 'new.example', 22, 'ssh-ed25519', ED_REVOKED, { status: 'revoked' }],
    ['line with an unknown marker is ignored', 'evil.lab.local', 22, 'ssh-ed25519', ED, { status: 'unknown' }],
    ['unknown host', 'nowhere.example', 22, 'ssh-ed25519', ED, { status: 'unknown' }],
  ];

  it.each(cases)('%s', (_name, host, port, keyType, key, expected) => {
    expect(checkHostKey(mixed, host, port, keyType, key)).toEqual(expected);
  });

  it('ignores @cert-authority lines for plain host keys', () => {
    const entries = parseKnownHosts(`@cert-authority *.lab.local ssh-ed25519 ${ED}\n`);
    expect(checkHostKey(entries, 'x.lab.local', 22, 'ssh-ed25519', ED)).toEqual({ status: 'unknown' });
  });

  it('compares decoded keys, so padding differences do not matter', () => {
    const entries = parseKnownHosts(`h ecdsa-sha2-nistp256 ${EC}\n`);
    expect(checkHostKey(entries, 'h', 22, 'ecdsa-sha2-nistp256', EC.replace(/=+$/, ''))).toEqual({ status: 'match' });
  });

  it('an empty key probes which types are known (mismatch for a known type)', () => {
    expect(checkHostKey(mixed, 'node1.lab.local', 22, 'ssh-ed25519', '').status).toBe('mismatch');
    expect(checkHostKey(mixed, 'node1.lab.local', 22, 'ecdsa-sha2-nistp256', '').status).toBe('unknown');
  });
});

describe('real ssh-keygen -H output', () => {
  const hashed = parseKnownHosts(keygen.hashed.join('\n'));
  const plain = parseKnownHosts(keygen.plain.join('\n'));

  it('holds only hashed entries', () => {
    expect(hashed).toHaveLength(3);
    expect(hashed.every((e) => e.hosts.kind === 'hashed')).toBe(true);
  });

  it('matches every plain host (including [host]:port) against its hashed line', () => {
    expect(checkHostKey(hashed, 'node1.lab.local', 22, 'ssh-ed25519', ED)).toEqual({ status: 'match' });
    expect(checkHostKey(hashed, 'node2.lab.local', 2222, 'ecdsa-sha2-nistp256', EC)).toEqual({ status: 'match' });
    expect(checkHostKey(hashed, '10.0.0.7', 22, 'ssh-rsa', RSA)).toEqual({ status: 'match' });
    expect(checkHostKey(hashed, 'node2.lab.local', 22, 'ecdsa-sha2-nistp256', EC)).toEqual({ status: 'unknown' });
    expect(checkHostKey(hashed, 'node1.lab.local', 22, 'ssh-ed25519', ED_REVOKED)).toMatchObject({ status: 'mismatch', line: 1 });
  });

  it('agrees with the plain file', () => {
    for (const [i, entry] of plain.entries()) {
      const host = entry.hosts.kind === 'patterns' ? (entry.hosts.patterns[0]?.pattern ?? '') : '';
      expect(hostsMatch(hashed[i]?.hosts ?? entry.hosts, host)).toBe(true);
    }
  });

  it('formatKnownHostsLine with the same salt reproduces ssh-keygen byte for byte', () => {
    const hosts: [string, number][] = [
      ['node1.lab.local', 22],
      ['node2.lab.local', 2222],
      ['10.0.0.7', 22],
    ];
    hosts.forEach(([host, port], i) => {
      const entry = hashed[i];
      if (entry?.hosts.kind !== 'hashed') throw new Error('fixture');
      expect(formatKnownHostsLine(host, port, entry.keyType, entry.keyBase64, { hash: true, salt: entry.hosts.salt })).toBe(keygen.hashed[i]);
    });
  });

  it('fingerprintSha256 equals ssh-keygen -l -E sha256', () => {
    for (const name of ['ed25519', 'ecdsa', 'rsa', 'otherEd25519'] as const) {
      expect(fingerprintSha256(keygen.keys[name])).toBe(keygen.fingerprints[name]);
    }
  });
});

describe('formatKnownHostsLine round trip', () => {
  const key = freshEd25519();
  it.each([
    ['plain, port 22', 'new.lab.local', 22, false, 'new.lab.local ssh-ed25519 '],
    ['plain, port 2222', 'new.lab.local', 2222, false, '[new.lab.local]:2222 ssh-ed25519 '],
    ['plain, IPv6', 'fd00::5', 2222, false, '[fd00::5]:2222 ssh-ed25519 '],
    ['hashed, port 22', 'new.lab.local', 22, true, '|1|'],
    ['hashed, port 2222', 'New.Lab.Local', 2222, true, '|1|'],
  ] as const)('%s', (_name, host, port, hash, prefix) => {
    const line = formatKnownHostsLine(host, port, 'ssh-ed25519', key, { hash });
    expect(line.startsWith(prefix)).toBe(true);
    expect(line).not.toContain('\n');
    if (hash) expect(line).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    const entries = parseKnownHosts(line);
    expect(checkHostKey(entries, host, port, 'ssh-ed25519', key)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, host, port === 22 ? 2222 : 22, 'ssh-ed25519', key)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, host, port, 'ssh-ed25519', freshEd25519())).toEqual({ status: 'mismatch', expectedTypes: ['ssh-ed25519'], line: 1 });
  });

  it('uses a fresh salt each time', () => {
    expect(formatKnownHostsLine('h', 22, 'ssh-ed25519', key, { hash: true })).not.toBe(formatKnownHostsLine('h', 22, 'ssh-ed25519', key, { hash: true }));
  });
});

describe('patterns', () => {
  it('matches globs on the whole name, case-insensitively, treating regex characters literally', () => {
    expect(matchPattern('a.b', 'a.b')).toBe(true);
    expect(matchPattern('axb', 'a.b')).toBe(false);
    expect(matchPattern('[h]:2222', '[h]:2222')).toBe(true);
    expect(matchPattern('[h]:2222', '[h]:*')).toBe(true);
    expect(matchPattern('X.EXAMPLE', '*.example')).toBe(true);
    expect(matchPattern('example', '*.example')).toBe(false);
  });

  it('names hosts like ssh does', () => {
    expect(knownHostsName('Node1', 22)).toBe('node1');
    expect(knownHostsName('node1', 2222)).toBe('[node1]:2222');
  });
});
