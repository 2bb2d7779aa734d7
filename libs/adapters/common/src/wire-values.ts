/** Reading the loosely typed values of an upstream's answer, the same way in every adapter's mapping. */

/** A wire string, NFC-normalised and trimmed; undefined when absent, not a string, or blank. */
export function wireText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.normalize('NFC').trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `{ [key]: value }`, or `{}` when the value is undefined: spreads optional fields without undefined keys. */
export function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
