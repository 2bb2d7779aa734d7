/**
 * RFC 8785 (JSON Canonicalization Scheme) for the values an audit record holds: objects, arrays,
 * strings, booleans, null and safe integers. Object members are sorted by their names as UTF-16 code
 * units, no whitespace is written, strings are escaped as ECMAScript's JSON.stringify escapes them
 * (which is what RFC 8785 prescribes), and members whose value is `undefined` are left out.
 *
 * Any JCS implementation gives the same bytes for an audit record, so its hash can be re-checked
 * without this code. Fractional and unsafe numbers are refused rather than risking a formatting
 * difference between implementations.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

const MAX_DEPTH = 32;

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('canonical JSON: value is nested too deeply');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new TypeError('canonical JSON: only safe integers are supported as numbers');
      }
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => write(item, depth + 1)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError('canonical JSON: only plain objects, arrays and primitives are supported');
      }
      const members = Object.entries(value as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${write(member, depth + 1)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: values of type ${typeof value} are not supported`);
  }
}
