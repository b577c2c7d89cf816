import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { InputError, RegistryError } from '../../errors.ts';
import { ConnectionFailure } from '../../onboard/connection-error.ts';
import { systemTrust } from '../../onboard/endpoint.ts';
import { checkLogin, imageRefOf, type LoginOutcome } from '../../onboard/login.ts';
import { probeRegistry } from '../../onboard/probe.ts';
import { checkPullSecretRequest, dockerConfigKey, renderPullSecrets } from '../../onboard/pull-secret.ts';
import { readRegistryTarget, type RegistryTarget } from '../../onboard/target.ts';
import { loadPlaybook } from '../../playbook/load.ts';
import { checkPastedImageReference, imageReferenceOf } from '../../playbook/registry-host.ts';
import { registryKey } from '../../registry/name.ts';
import { Output, Redactor } from '../../report/output.ts';
import { parseCaBundle } from '../../resources/ca-certificate.ts';
import { ExitCode } from '../exit-codes.ts';
import type { RegistrySecretCliOptions } from '../registry-options.ts';
import { ipOption } from './registry-probe.ts';

/** Docker Hub's registry API answers on this name, whatever name image references use. */
const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

async function readPassword(options: RegistrySecretCliOptions): Promise<string> {
  if (options.passwordStdin === true) {
    // one line, as docker login --password-stdin reads it: the line end is not part of the password
    const password = (await text(process.stdin)).replace(/\r?\n$/, '');
    if (password === '') throw new InputError('E_USAGE', '--password-stdin', undefined, 'stdin held no password');
    return password;
  }
  const password = process.env[options.passwordEnv] ?? '';
  if (password === '') {
    throw new InputError('E_USAGE', '--password-env', undefined, `the environment variable ${options.passwordEnv} holds no password: set it, or pipe the password in with --password-stdin (never on the command line)`);
  }
  return password;
}

/** The CA and address of the registry's entry in a playbook. */
async function fromPlaybook(file: string, registry: string): Promise<{ ca: string | undefined; ip: string | undefined }> {
  const playbook = await loadPlaybook(file);
  const spec = playbook.plays.flatMap((play) => play.registries).find((r) => registryKey(r.host) === registryKey(registry) && r.state === 'present');
  if (spec === undefined) throw new InputError('E_USAGE', '--playbook', undefined, `${file} has no entry for ${registry}: add one with dockhand registry add`);
  return { ca: spec.ca?.pem, ip: spec.ip };
}

async function caOption(file: string): Promise<string> {
  try {
    return parseCaBundle(await readFile(file)).pem;
  } catch (error) {
    throw new InputError('E_USAGE', '--ca', undefined, `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message}`);
  }
}

function apiTarget(target: RegistryTarget): RegistryTarget {
  return DOCKER_HUB_NAMES.has(target.name.toLowerCase()) ? { ...target, name: DOCKER_HUB_API, scheme: 'https' } : target;
}

/** What the login check said, as a line for stderr; throws where no Secret should be printed. */
function judge(outcome: LoginOutcome, registry: string, username: string): string {
  switch (outcome.kind) {
    case 'not-needed':
      return `${registry} needs no login (GET /v2/ answers 200 without one): pulls work without this Secret, and the login could not be checked there`;
    case 'rejected':
      throw new RegistryError(`${registry} refused the login of ${username}: wrong username or password (${outcome.said}); nothing printed`);
    case 'unknown':
      throw new RegistryError(`${registry}: the login could not be checked: ${outcome.said}; nothing printed`);
    case 'accepted': {
      const via = outcome.via === 'token' ? 'through its token service' : 'with Basic auth';
      if (outcome.pull === undefined) return `${registry} accepts the login of ${username} (${via})`;
      if (outcome.pull.kind === 'can-pull') return `${registry} accepts the login of ${username} (${via}), and it can pull ${outcome.pull.image}`;
      if (outcome.pull.kind === 'not-found') throw new RegistryError(`${registry} accepts the login of ${username}, but has no image ${outcome.pull.image}; nothing printed`);
      throw new RegistryError(`${registry} accepts the login of ${username}, but it cannot pull ${outcome.pull.image} (HTTP ${outcome.pull.status}): give the account pull access to that repository (on Harbor: make it a member of the project); nothing printed`);
    }
  }
}

/** `dockhand registry secret URL --name NAME`: the Secret on stdout once the login works. */
export async function registrySecretCommand(url: string, options: RegistrySecretCliOptions): Promise<ExitCode> {
  const given = readRegistryTarget(url);
  const target = apiTarget(given);
  checkPullSecretRequest({ name: options.name, namespaces: options.namespace ?? [], serviceAccount: options.serviceAccount });
  const username = options.username ?? process.env['DOCKHAND_REGISTRY_USERNAME'] ?? '';
  if (username === '') throw new InputError('E_USAGE', '--username', undefined, 'give the registry login with --username (or DOCKHAND_REGISTRY_USERNAME)');
  const password = await readPassword(options);
  const redactor = new Redactor();
  redactor.add(password);
  const output = new Output(0, redactor);

  const registryName = given.port === undefined ? given.name : `${given.name}:${given.port}`;
  const pinned = options.playbook === undefined ? undefined : await fromPlaybook(options.playbook, registryName);
  const ca = options.ca === undefined ? pinned?.ca : await caOption(options.ca);
  const address = ipOption(options.ip) ?? pinned?.ip;
  const { report, endpoint } = await probeRegistry(target, { address, timeoutMs: options.timeout * 1000 });
  if (endpoint === undefined || report.registry === undefined) throw new RegistryError(`${url}: ${report.verdict.said}; nothing printed`);
  const registry = DOCKER_HUB_NAMES.has(given.name.toLowerCase()) ? given.name : report.registry;
  let image;
  if (options.image !== undefined) {
    const reason = checkPastedImageReference(options.image);
    if (reason !== undefined) throw new InputError('E_USAGE', '--image', undefined, `"${options.image}" ${reason}`);
    image = imageRefOf(imageReferenceOf(options.image), report.registry);
  }
  let outcome: LoginOutcome;
  try {
    outcome = await checkLogin(endpoint, { verify: true, ca: [...systemTrust(), ...(ca === undefined ? [] : [ca])] }, { username, password }, image, options.timeout * 1000);
  } catch (error) {
    if (error instanceof ConnectionFailure && error.kind.startsWith('tls-')) {
      throw new RegistryError(`${error.message}: the login was not sent; give the registry's CA with --ca FILE, or -p PLAYBOOK once dockhand registry add has pinned it`);
    }
    throw new RegistryError(`${registry}: ${(error as Error).message}; nothing printed`);
  }
  if (endpoint.scheme === 'http' && outcome.kind !== 'not-needed') output.notice(`warning: ${registry} is plain http: the login crossed the network unencrypted, as every pull with this Secret will`);
  output.notice(judge(outcome, registry, username));
  // straight to stdout: the YAML carries the password only base64-encoded, which the redactor must not touch
  process.stdout.write(renderPullSecrets({
    name: options.name,
    namespaces: options.namespace ?? [],
    server: dockerConfigKey(registry),
    username,
    password,
    email: options.email,
    serviceAccount: options.serviceAccount,
  }));
  return ExitCode.ok;
}
