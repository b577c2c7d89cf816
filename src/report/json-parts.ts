/**
 * A report as JSON, in parts: the same text as `JSON.stringify(value, null, 2)`, with the array under one
 * key given element by element, so that a report of ten thousand nodes is never one string in memory;
 * `end` follows the last part.
 */

/** `text` (pretty-printed JSON) with every line after the first indented by `by` spaces. */
function indented(text: string, by: string): string {
  // JSON strings hold no raw newline: every line break is the layout's
  return text.replaceAll('\n', `\n${by}`);
}

/**
 * The parts of `JSON.stringify(value, null, 2)`, the array `value[key]` one element (with its separator) per
 * part. Joined, they are that text exactly.
 */
export function* jsonParts(value: object, key: string, end = ''): Generator<string> {
  // what JSON.stringify writes of an object: own enumerable keys whose values it can write
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield `{}${end}`;
    return;
  }
  yield '{';
  for (const [index, [name, item]] of entries.entries()) {
    const separator = index < entries.length - 1 ? ',' : '';
    const head = `\n  ${JSON.stringify(name)}: `;
    if (name !== key || !Array.isArray(item) || item.length === 0) {
      yield `${head}${indented(JSON.stringify(item, null, 2), '  ')}${separator}`;
      continue;
    }
    yield `${head}[`;
    for (const [i, element] of item.entries()) {
      // an element JSON cannot write (undefined, a function) is written as null, as JSON.stringify does
      const text = JSON.stringify(element, null, 2) ?? 'null';
      yield `\n    ${indented(text, '    ')}${i < item.length - 1 ? ',' : ''}`;
    }
    yield `\n  ]${separator}`;
  }
  yield `\n}${end}`;
}
