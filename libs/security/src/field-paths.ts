import { resolveSchemaRef, SCHEMA_NAMES, SchemaRegistry, type SchemaName } from '@lienthong/contracts';

type SchemaNode = Readonly<Record<string, unknown>>;
interface Located {
  node: SchemaNode;
  /** The `$id` of the document the node sits in, to resolve local `#/...` references. */
  base: string;
}

/**
 * Answers "is `permanentResidence.provinceCode` a field of the citizen model?" by walking the canonical
 * JSON Schemas in contracts/schemas (properties, `$ref`s across documents, array `items`, and the
 * alternatives of allOf/anyOf/oneOf/if-then-else). Used when clients.yaml is loaded so that a misspelt
 * field in a client's scope fails the start instead of silently hiding data.
 */
export class ModelFieldIndex {
  private readonly documents = new Map<string, SchemaNode>();
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly registry: SchemaRegistry = SchemaRegistry.shared()) {
    for (const name of [...SCHEMA_NAMES, 'common'] as const) {
      const document = registry.schemaFor(name) as SchemaNode;
      this.documents.set(String(document.$id), document);
    }
  }

  has(model: SchemaName, path: string): boolean {
    const key = `${model} ${path}`;
    let known = this.cache.get(key);
    if (known === undefined) {
      const root = this.registry.schemaFor(model) as SchemaNode;
      let frontier: Located[] = [{ node: root, base: String(root.$id) }];
      for (const segment of path.split('.')) {
        frontier = frontier.flatMap((located) => this.property(located, segment, new Set()));
        if (frontier.length === 0) break;
      }
      known = frontier.length > 0;
      this.cache.set(key, known);
    }
    return known;
  }

  /** Top-level field names of a model, for messages. */
  fieldsOf(model: SchemaName): string[] {
    const root = this.registry.schemaFor(model) as SchemaNode;
    return [...new Set(this.properties({ node: root, base: String(root.$id) }, new Set()).map(([n]) => n))];
  }

  private property(located: Located, name: string, seen: Set<SchemaNode>): Located[] {
    return this.properties(located, seen)
      .filter(([key]) => key === name)
      .map(([, value]) => value);
  }

  /** Every (name, subschema) an object at this node may have, looking through refs, arrays and combinators. */
  private properties(located: Located, seen: Set<SchemaNode>): [string, Located][] {
    const { node, base } = located;
    if (seen.has(node)) return [];
    seen.add(node);
    const out: [string, Located][] = [];
    const properties = node.properties as Record<string, SchemaNode> | undefined;
    if (properties) {
      for (const [name, child] of Object.entries(properties)) out.push([name, { node: child, base }]);
    }
    const nested: Located[] = [];
    if (typeof node.$ref === 'string') nested.push(this.resolve(node.$ref, base));
    if (node.items && typeof node.items === 'object') nested.push({ node: node.items as SchemaNode, base });
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      if (Array.isArray(node[keyword])) {
        for (const child of node[keyword] as SchemaNode[]) nested.push({ node: child, base });
      }
    }
    for (const keyword of ['then', 'else']) {
      if (node[keyword] && typeof node[keyword] === 'object') {
        nested.push({ node: node[keyword] as SchemaNode, base });
      }
    }
    for (const child of nested) out.push(...this.properties(child, seen));
    return out;
  }

  private resolve(ref: string, base: string): Located {
    const [documentId, pointer = ''] = resolveSchemaRef(ref, base).split('#');
    let node: unknown = this.documents.get(documentId);
    for (const segment of pointer.split('/').slice(1)) {
      node = (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return { node: (node ?? {}) as SchemaNode, base: documentId };
  }
}
