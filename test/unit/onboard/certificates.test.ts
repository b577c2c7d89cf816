import { describe, expect, it } from 'vitest';
import { formatFingerprint, readFingerprint } from '../../../src/onboard/certificates.ts';

const HEX = '51D0416F5D6D3C1B1E5A9E5C6A0C1B2D3E4F5061728394A5B6C7D8E9F00A7B00';

describe('SHA-256 fingerprints as people paste them', () => {
  it.each([
    HEX,
    HEX.toLowerCase(),
    formatFingerprint(HEX),
    formatFingerprint(HEX).toLowerCase(),
    `sha256 Fingerprint=${formatFingerprint(HEX)}`,
    `SHA256 Fingerprint=${formatFingerprint(HEX)}\n`,
    `sha256:${HEX.toLowerCase()}`,
  ])('%s', (given) => {
    expect(readFingerprint(given)).toBe(HEX);
  });

  it.each(['', 'AB:CD', `${HEX}00`, HEX.replace('5', 'G'), 'sha1 Fingerprint=AA:BB'])('refuses %j', (given) => {
    expect(() => readFingerprint(given)).toThrow(/not a SHA-256 fingerprint/);
  });

  it('prints as openssl does', () => {
    expect(formatFingerprint(HEX)).toMatch(/^51:D0:41:.*:7B:00$/);
  });
});
