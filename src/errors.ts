/**
 * Errors dockhand raises. Every error carries a stable `code`; an expected remote
 * failure (a command exiting non-zero) is a result, not an exception.
 */
export type ErrorCode =
  | 'E_USAGE'
  /** The controller's state directory (run locks, history) cannot be used. */
  | 'E_STATE'
  | 'E_INVENTORY'
  | 'E_PLAYBOOK'
  | 'E_CONNECT'
  | 'E_HOST_KEY'
  | 'E_AUTH'
  | 'E_SUDO'
  | 'E_TIMEOUT'
  | 'E_UNSUPPORTED_OS'
  | 'E_REMOTE'
  | 'E_REGISTRY';

export class DockhandError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockhandError';
    this.code = code;
  }
}

/** A problem in an input file, located by file and (where known) line. */
export class InputError extends DockhandError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(code: 'E_INVENTORY' | 'E_PLAYBOOK' | 'E_USAGE', file: string, line: number | undefined, message: string) {
    super(code, `${file}${line === undefined ? '' : `:${line}`}: ${message}`);
    this.name = 'InputError';
    this.file = file;
    this.line = line;
  }
}

/** A node could not be reached or logged into: the node is reported unreachable. */
export class UnreachableError extends DockhandError {
  constructor(code: 'E_CONNECT' | 'E_HOST_KEY' | 'E_AUTH' | 'E_TIMEOUT', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UnreachableError';
  }
}

/**
 * A registry that cannot be onboarded as asked (not reachable, not trusted, a CA that does not fit, a
 * login refused): the message says what to do; nothing was written.
 */
export class RegistryError extends DockhandError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_REGISTRY', message, options);
    this.name = 'RegistryError';
  }
}
