/**
 * Just enough XML 1.0 to write a report: text and attribute values escaped, and every character that
 * XML 1.0 does not allow (control characters other than tab, newline and carriage return, lone
 * surrogates, U+FFFE and U+FFFF) replaced by U+FFFD, so a byte from a node's output can never make the
 * file unreadable. Newlines and tabs inside attributes are written as character references, or a parser
 * would turn them into spaces.
 */

// Not in XML 1.0's Char production: C0 controls but \t \n \r, lone surrogates, U+FFFE, U+FFFF.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

export function escapeText(text: string): string {
  // '>' too, so that "]]>" never appears in text
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** An element: attributes in order, then either text or child elements (already rendered). */
export function element(name: string, attributes: Readonly<Record<string, string | number | undefined>>, content: string | readonly string[] = []): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join('');
  if (typeof content === 'string') return `<${name}${attrs}>${escapeText(content)}</${name}>`;
  if (content.length === 0) return `<${name}${attrs}/>`;
  // one child per line, not indented: indenting would change text content that spans lines
  return `<${name}${attrs}>\n${content.join('\n')}\n</${name}>`;
}

/** An attribute value as escapeAttribute wrote it, read back. */
export function unescapeAttribute(text: string): string {
  return text.replace(/&(?:quot|lt|gt|amp|#(\d+));/g, (entity: string, code: string | undefined) =>
    code !== undefined ? String.fromCodePoint(Number(code)) : ({ '&quot;': '"', '&lt;': '<', '&gt;': '>', '&amp;': '&' } as Record<string, string>)[entity]!,
  );
}
