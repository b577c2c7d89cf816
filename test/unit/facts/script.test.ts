import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FACTS_SCRIPT, FACTS_SECTIONS, parseFacts, parseOsRelease } from '../../../src/facts/index.ts';
import { parseSections } from '../../../src/formats/sections.ts';

const shell = existsSync('/usr/bin/dash') ? '/usr/bin/dash' : 'sh';

describe('FACTS_SCRIPT', () => {
  it('is valid POSIX sh (dash -n)', () => {
    const result = spawnSync(shell, ['-n'], { input: FACTS_SCRIPT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints only known sections', () => {
    for (const [, name] of FACTS_SCRIPT.matchAll(/^\s*(?:section|dump) ([a-z0-9-]+)/gm)) {
      expect(FACTS_SECTIONS).toContain(name);
    }
  });

  it.runIf(process.platform === 'linux')(
    'runs on this machine with dash, exits 0 and parses (script read from stdin, as `sh -s` would)',
    () => {
      const result = spawnSync(shell, ['-s'], { input: FACTS_SCRIPT, encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/bin:/bin' } });
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      const names = parseSections(result.stdout).map((s) => s.name);
      expect(names[0]).toBe('begin');
      expect(names.at(-1)).toBe('end');
      const facts = parseFacts(result.stdout);
      expect(facts.hostname).toBe(hostname());
      const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
      expect(facts.os).toEqual(parseOsRelease(osRelease));
      expect(typeof facts.runtimes['docker']?.installed).toBe('boolean');
    },
    70_000,
  );
});
