/** The shape of a play, in zod: strict objects (an unknown key is an error) and checked values. */
import { z } from 'zod';
import { listEntrySchema } from './list-entries.ts';
import { checkPastedImageReference, checkPastedRegistryHost, imageReferenceOf, registryHostOf } from './registry-host.ts';
import {
  checkEnvName,
  checkInsecureRegistry,
  checkIpAddress,
  checkMaxFailPercentage,
  checkMirrorUrl,
  checkStartTimeout,
  parseSerial,
} from './validate-values.ts';

export const REGISTRY_KEYS = ['host', 'ip', 'insecure', 'ca', 'state', 'verify', 'mirrors'] as const;
export const VERIFY_KEYS = ['image', 'username_env', 'password_env'] as const;
export const MIRROR_KEYS = ['url', 'capabilities', 'skip_verify', 'ca'] as const;
export const RESTART_POLICIES = ['if-idle', 'always', 'never'] as const;
export const LIVE_RESTORE_SETTINGS = ['enable', 'keep'] as const;
export const REACHABILITY_SETTINGS = ['report', 'require'] as const;
export const PLAY_KEYS = [
  'name',
  'hosts',
  'registries',
  'insecure_registries',
  'registry_mirrors',
  'docker_config',
  'serial',
  'max_fail_percentage',
  'runtimes',
  'restart',
  'live_restore',
  'reachability',
  'start_timeout',
] as const;

/** A string refused with the reason `check` gives. */
function checked(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const reason = check(value);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

const nonEmpty = z.string().superRefine((value, ctx) => {
  if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'is empty' });
});

/** A pull check: the node pulls this image after apply (credentials from the named environment variables). */
export const VerifySchema = z
  .strictObject({
    image: checked(checkPastedImageReference),
    username_env: checked(checkEnvName).nullish(),
    password_env: checked(checkEnvName).nullish(),
  })
  .superRefine((verify, ctx) => {
    if ((verify.username_env == null) !== (verify.password_env == null)) {
      ctx.addIssue({ code: 'custom', path: [verify.username_env == null ? 'username_env' : 'password_env'], message: 'username_env and password_env go together' });
    }
  });

/** A mirror of one registry (containerd: a `[host]` of its hosts.toml; Docker: only Docker Hub's). */
export const MirrorSchema = z.union([
  checked(checkMirrorUrl),
  z.strictObject({
    url: checked(checkMirrorUrl),
    capabilities: z.array(z.enum(['pull', 'resolve', 'push'])).min(1).nullish(),
    skip_verify: z.boolean().nullish(),
    ca: nonEmpty.nullish(),
  }),
]);

export const RegistrySchema = z
  .strictObject({
    host: checked(checkPastedRegistryHost),
    ip: checked(checkIpAddress).nullish(),
    insecure: z.boolean().nullish(),
    ca: nonEmpty.nullish(),
    state: z.enum(['present', 'absent']).nullish(),
    verify: VerifySchema.nullish(),
    mirrors: z.array(MirrorSchema).nullish(),
  })
  .superRefine((registry, ctx) => {
    const image = registry.verify?.image;
    const host = registryHostOf(registry.host);
    if (image !== undefined && !imageReferenceOf(image).toLowerCase().startsWith(`${host.toLowerCase()}/`)) {
      ctx.addIssue({ code: 'custom', path: ['verify', 'image'], message: `must be an image of this registry (${host}/...)` });
    }
  });

const SerialSchema = z.unknown().transform((value, ctx) => {
  const parsed = parseSerial(value);
  if ('steps' in parsed) return parsed.steps;
  ctx.addIssue({ code: 'custom', message: parsed.reason, path: parsed.index === undefined ? [] : [parsed.index] });
  return z.NEVER;
});

const MaxFailSchema = z.unknown().transform((value, ctx) => {
  const reason = checkMaxFailPercentage(value);
  if (reason === undefined) return value as number;
  ctx.addIssue({ code: 'custom', message: reason });
  return z.NEVER;
});

/** Seconds a restarted runtime may take to be active again before the transaction rolls back. */
const StartTimeoutSchema = z.unknown().transform((value, ctx) => {
  if (value === null) return undefined;
  const reason = checkStartTimeout(value);
  if (reason === undefined) return value as number;
  ctx.addIssue({ code: 'custom', message: reason });
  return z.NEVER;
});

/** A runtime's name as a playbook writes it: a lower-case word (which runtimes exist, the loader's caller says). */
const RUNTIME_WORD = /^[a-z][a-z0-9-]*$/;

/** `auto` or a non-empty list of runtime names; each wrong item is named by its index. */
const RuntimesSchema = z.unknown().transform((value, ctx): 'auto' | string[] => {
  if (value === 'auto' || value === null) return 'auto';
  if (!Array.isArray(value) || value.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must be "auto" or a list of runtimes' });
    return z.NEVER;
  }
  value.forEach((item, index) => {
    if (typeof item !== 'string' || !RUNTIME_WORD.test(item)) ctx.addIssue({ code: 'custom', path: [index], message: 'must be the name of a runtime' });
  });
  return [...new Set(value as string[])];
});

export const PlaySchema = z
  .strictObject({
    name: nonEmpty.nullish(),
    hosts: nonEmpty.nullish(),
    registries: z.array(RegistrySchema).nullish(),
    insecure_registries: z.array(listEntrySchema(checkInsecureRegistry)).nullish(),
    registry_mirrors: z.array(listEntrySchema(checkMirrorUrl)).nullish(),
    docker_config: z.enum(['auto', 'drop-in', 'daemon-json']).nullish(),
    serial: SerialSchema.optional(),
    max_fail_percentage: MaxFailSchema.optional(),
    runtimes: RuntimesSchema.optional(),
    restart: z.enum(RESTART_POLICIES).nullish(),
    live_restore: z.enum(LIVE_RESTORE_SETTINGS).nullish(),
    reachability: z.enum(REACHABILITY_SETTINGS).nullish(),
    start_timeout: StartTimeoutSchema.optional(),
  })
  .superRefine((play, ctx) => {
    const extras = (play.insecure_registries?.length ?? 0) + (play.registry_mirrors?.length ?? 0);
    if ((play.registries?.length ?? 0) === 0 && extras === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['registries'],
        message: 'a play needs at least one registry (or insecure_registries or registry_mirrors)',
      });
    }
  });

export type RawPlay = z.output<typeof PlaySchema>;
export type RawRegistry = z.output<typeof RegistrySchema>;
export type RawMirror = z.output<typeof MirrorSchema>;
