/**
 * The one renderer of values in error messages. It never throws (not for a
 * revoked proxy, not for an object whose toString throws) and shows the
 * type by the syntax: `'text'`, `12n`, `Symbol(x)`, `-0`, `an array of 3`.
 */
export function render(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    case 'undefined':
    case 'boolean':
      return String(value);
  }
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    const length = ArrayBuffer.isView(value) && 'length' in value ? ` of ${String(value.length)}` : '';
    const name = tag === 'Object' ? (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name : tag;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}${length}` : 'an object';
  } catch {
    return 'an object';
  }
}
