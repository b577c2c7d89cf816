/** Mistakes found in an installer's file, collected so the user sees all of them at once, each with file, line and path. */
import { InputError } from '../errors.ts';

/** Where an installer's file sets something: file, line, and the path of the field as the file writes it. */
export interface FieldOrigin {
  readonly file: string;
  readonly line: number | undefined;
  /** `spec.registry.auths["harbor.local"].caFile`, `containerd_registries_mirrors[0].prefix`. */
  readonly path: string;
}

export interface Issue {
  readonly at: FieldOrigin;
  readonly message: string;
}

/** Several located problems as one InputError: one line each, the first one's file and line on the error. */
export class SourceError extends InputError {
  readonly issues: readonly Issue[];

  constructor(code: 'E_INVENTORY' | 'E_PLAYBOOK', issues: readonly Issue[]) {
    const [first, ...rest] = issues;
    const line = (issue: Issue): string => `${issue.at.path}: ${issue.message}`;
    const others = rest.map((issue) => `\n${where(issue.at)}: ${line(issue)}`);
    super(code, first?.at.file ?? '', first?.at.line, `${first === undefined ? 'invalid input' : line(first)}${others.join('')}`);
    this.name = 'SourceError';
    this.issues = issues;
  }
}

export class IssueList {
  readonly #issues: Issue[] = [];

  add(at: FieldOrigin, message: string): void {
    this.#issues.push({ at, message });
  }

  get size(): number {
    return this.#issues.length;
  }

  /** Throws every issue found so far, in file and line order. */
  throwIfAny(code: 'E_INVENTORY' | 'E_PLAYBOOK'): void {
    if (this.#issues.length === 0) return;
    const sorted = [...this.#issues].sort((a, b) => (a.at.file < b.at.file ? -1 : a.at.file > b.at.file ? 1 : (a.at.line ?? Infinity) - (b.at.line ?? Infinity)));
    throw new SourceError(code, sorted);
  }
}

export function where(at: { readonly file: string; readonly line: number | undefined }): string {
  return `${at.file}${at.line === undefined ? '' : `:${at.line}`}`;
}

/** A value's kind for a message, never the value itself (it may be a secret). */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
