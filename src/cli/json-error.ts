/** With --json, an error that ends the run before any report still gives stdout one JSON document. */

/** Whether the command line asks for JSON (read before or without commander, which may be what failed). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** `{"error": {"code", "message"}, "hosts": [], "summary": {}}`: the report's shape, with no node in it. */
export function errorDocument(code: string, message: string, where: { file?: string; line?: number | undefined } = {}): string {
  const error = { code, message, ...(where.file === undefined ? {} : { file: where.file }), ...(where.line === undefined ? {} : { line: where.line }) };
  return `${JSON.stringify({ error, hosts: [], summary: {} }, null, 2)}\n`;
}
