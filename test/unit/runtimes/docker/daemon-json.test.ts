import { describe, expect, it } from 'vitest';
import { editDaemonJson } from '../../../../src/runtimes/docker/daemon-json.ts';

const edit = (insecureRegistries: string[], registryMirrors: string[] = [], retiredInsecureRegistries: string[] = []) => ({
  insecureRegistries,
  registryMirrors,
  retiredInsecureRegistries,
});

describe('editDaemonJson', () => {
  it('creates the file when absent', () => {
    expect(editDaemonJson(null, edit(['harbor.local'], ['https://m.example.com']))).toBe(
      '{\n  "insecure-registries": [\n    "harbor.local"\n  ],\n  "registry-mirrors": [\n    "https://m.example.com"\n  ]\n}\n',
    );
  });

  it('keeps every other key, in order, and the old entries of the keys it extends', () => {
    const current = '{"log-driver": "json-file", "insecure-registries": ["10.0.0.0/8"], "live-restore": true}';
    const after = JSON.parse(editDaemonJson(current, edit(['harbor.local']))!) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(['log-driver', 'insecure-registries', 'live-restore']);
    expect(after['insecure-registries']).toEqual(['10.0.0.0/8', 'harbor.local']);
    expect(after['live-restore']).toBe(true);
  });

  it('returns the text untouched when nothing changes (no reformatting)', () => {
    const current = '{ "insecure-registries" : [ "harbor.local" ],\n"registry-mirrors": ["https://m.example.com/"] }';
    expect(editDaemonJson(current, edit(['HARBOR.local'], ['https://m.example.com']))).toBe(current);
  });

  it('removes retired registries only', () => {
    const current = '{"insecure-registries": ["a", "b", "c"]}';
    expect(JSON.parse(editDaemonJson(current, edit([], [], ['b']))!)).toEqual({ 'insecure-registries': ['a', 'c'] });
  });

  it('refuses a file that is not a JSON object', () => {
    expect(() => editDaemonJson('[1]', edit(['x']))).toThrow(/not a JSON object/);
    expect(() => editDaemonJson('{', edit(['x']))).toThrow();
  });
});
