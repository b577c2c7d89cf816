import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../../src/errors.ts';
import { parseOsRelease, requireFamily } from '../../../src/facts/index.ts';
import type { OsRelease } from '../../../src/plan/facts.ts';
import { loadFixtures } from './fixtures.ts';

describe('parseOsRelease (golden fixtures)', () => {
  const fixtures = loadFixtures<OsRelease>('os-release');

  it('has the distributions dockhand must recognise', () => {
    expect(fixtures.map((f) => f.file)).toEqual(
      expect.arrayContaining(['ubuntu-22.04.json', 'ubuntu-24.04.json', 'debian-12.json', 'rhel-9.json', 'rocky-9.json', 'centos-7.json', 'almalinux-9.json', 'fedora-40.json', 'alpine-3.20.json']),
    );
  });

  it.each(fixtures)('$file: $name', ({ output, expected }) => {
    expect(parseOsRelease(output)).toEqual(expected);
  });
});

describe('parseOsRelease edge cases', () => {
  it('applies os-release(5) defaults to an empty file', () => {
    expect(parseOsRelease('')).toEqual({ id: 'linux', idLike: [], versionId: null, prettyName: 'Linux', family: null });
  });

  it('takes the family from ID before ID_LIKE', () => {
    expect(parseOsRelease('ID=ol\nID_LIKE="fedora"\n').family).toBe('rhel');
    expect(parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n').family).toBe('debian');
    expect(parseOsRelease('ID=amzn\nID_LIKE="centos rhel fedora"\n').family).toBe('rhel');
    expect(parseOsRelease('ID=arch\n').family).toBeNull();
  });

  it('handles CRLF-free odd spacing and ignores malformed lines', () => {
    expect(parseOsRelease('garbage line\n  ID=debian  \n=x\nVERSION_ID=\n')).toMatchObject({ id: 'debian', versionId: null });
  });
});

describe('requireFamily', () => {
  it('returns the family of a supported OS', () => {
    expect(requireFamily(parseOsRelease('ID=rocky\nID_LIKE="rhel centos fedora"\n'), 'n1')).toBe('rhel');
  });

  it('throws E_UNSUPPORTED_OS naming the node, PRETTY_NAME, ID and ID_LIKE', () => {
    const os = parseOsRelease('NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nPRETTY_NAME="openSUSE Leap 15.5"\n');
    let error: unknown;
    try {
      requireFamily(os, 'node9');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).code).toBe('E_UNSUPPORTED_OS');
    expect((error as DockhandError).message).toBe(
      'node9: unsupported OS "openSUSE Leap 15.5" (ID=opensuse-leap, ID_LIKE=suse opensuse): dockhand supports the Debian and RHEL families',
    );
  });
});
