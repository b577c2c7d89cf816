import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../src/playbook/index.ts';
import { pullCredentials, requirePullCredentials } from '../../../src/converge/pull-check.ts';

const play = (verify: string) => `registries:
  - host: harbor.local
    insecure: true
    verify: ${verify}
`;

describe('a registry\'s pull check (verify)', () => {
  it('reads the image and the names of the credential variables', async () => {
    const book = await parsePlaybook(play('{image: harbor.local/library/tiny:1, username_env: H_USER, password_env: H_PASS}'), '/p/site.yml');
    expect(book.plays[0]!.registries[0]!.verify).toEqual({ image: 'harbor.local/library/tiny:1', usernameEnv: 'H_USER', passwordEnv: 'H_PASS' });
  });

  it('refuses an image of another registry, a bad reference, half a login and unknown keys', async () => {
    await expect(parsePlaybook(play('{image: docker.io/library/busybox}'), '/p/site.yml')).rejects.toThrow(/verify.image: .* must be an image of this registry/);
    await expect(parsePlaybook(play('{image: "harbor.local/x; reboot"}'), '/p/site.yml')).rejects.toThrow(/is not an image reference/);
    await expect(parsePlaybook(play('{image: harbor.local/x, username_env: U}'), '/p/site.yml')).rejects.toThrow(/password_env: username_env and password_env go together/);
    await expect(parsePlaybook(play('{image: harbor.local/x, password: hunter2}'), '/p/site.yml')).rejects.toThrow(
      /verify.password: unknown key, with value "hunter2"; expected one of image, username_env, password_env/,
    );
  });

  it('takes credentials from the environment only, and refuses a run whose variables are unset', async () => {
    const book = await parsePlaybook(play('{image: harbor.local/x:1, username_env: H_USER, password_env: H_PASS}'), '/p/site.yml');
    const verify = book.plays[0]!.registries[0]!.verify!;
    expect(pullCredentials(verify, { H_USER: 'u', H_PASS: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(() => requirePullCredentials(book, { H_USER: 'u' })).toThrow(/needs the environment variable H_PASS, which is not set/);
  });
});
