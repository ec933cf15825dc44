/**
 * Reads the component schemas of spec/openapi.yaml into one normalised model of EM's representations.
 * The XSD generator, the JSON Schema generator and the XML codec all work from this model, so the three
 * cannot disagree. The conventions it understands are listed in docs/architecture.md.
 */
import { loadSpec, refName, type OpenApiDocument, type SchemaObject } from './spec.ts';

export type SimpleBase = 'string' | 'int' | 'long' | 'boolean' | 'dateTime' | 'double';

export interface SimpleType {
  kind: 'simple';
  /** Component name, or undefined for an inline type. */
  name?: string;
  base: SimpleBase;
  /** ECMAScript pattern as written in the spec (anchored). */
  pattern?: string;
  enum?: string[];
}

export type TypeRef = { ref: string } | { inline: SimpleType } | { object: ObjectType };

export interface Property {
  /** JSON key. */
  name: string;
  /** Element or attribute name in XML. */
  xmlName: string;
  attribute: boolean;
  text: boolean;
  /** Admits null in JSON, optional in XML. */
  nullable: boolean;
  type: TypeRef;
  /** Present when the property is a list. */
  list?: { wrapped: boolean; itemXmlName: string };
}

export interface ObjectType {
  kind: 'object';
  name?: string;
  base?: string;
  /** Own properties, in document order. */
  properties: Property[];
  choice?: string[];
  roots: string[];
}

export interface ArrayType {
  kind: 'array';
  name: string;
  item: TypeRef;
  itemXmlName: string;
  roots: string[];
}

export type ModelType = SimpleType | ObjectType | ArrayType;

export interface SchemaModel {
  types: Map<string, ModelType>;
  /** Root element name → component name. */
  roots: Map<string, string>;
}

const REF_PREFIX = '#/components/schemas/';

function typesOf(schema: SchemaObject): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

function isNullSchema(schema: SchemaObject): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.length === 1 && schema.type[0] === 'null');
}

function simpleFrom(schema: SchemaObject, where: string, name?: string): SimpleType {
  const nonNull = typesOf(schema).filter((t) => t !== 'null');
  const primitive = nonNull[0] ?? (schema.enum ? 'string' : undefined);
  let base: SimpleBase;
  switch (primitive) {
    case 'string':
      base = schema.format === 'date-time' ? 'dateTime' : 'string';
      break;
    case 'integer':
      base = schema.format === 'int64' ? 'long' : 'int';
      break;
    case 'number':
      base = 'double';
      break;
    case 'boolean':
      base = 'boolean';
      break;
    default:
      throw new Error(`${where}: cannot map type ${JSON.stringify(schema.type)} to a simple type`);
  }
  const out: SimpleType = { kind: 'simple', base };
  if (name) out.name = name;
  if (schema.pattern) out.pattern = schema.pattern;
  if (schema.enum) out.enum = (schema.enum as unknown[]).filter((v): v is string => v !== null).map(String);
  return out;
}

function rootsOf(schema: SchemaObject): string[] {
  const r = schema['x-em-root'];
  if (!r) return [];
  return Array.isArray(r) ? r : [r];
}

/** Splits a property schema into (nullable, inner schema). */
function unwrapNullable(schema: SchemaObject): { nullable: boolean; inner: SchemaObject } {
  const alts: SchemaObject[] | undefined = schema.anyOf ?? schema.oneOf;
  if (alts) {
    const nonNull = alts.filter((s) => !isNullSchema(s));
    if (nonNull.length === 1 && nonNull.length < alts.length) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return { nullable: true, inner: { ...nonNull[0], ...rest } };
    }
    if (nonNull.length === 1) return { nullable: false, inner: { ...nonNull[0] } };
  }
  const types = typesOf(schema);
  const nullable = types.includes('null') || (Array.isArray(schema.enum) && schema.enum.includes(null));
  return { nullable, inner: schema };
}

function typeRefFrom(schema: SchemaObject, where: string, doc: OpenApiDocument): TypeRef {
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith(REF_PREFIX)) throw new Error(`${where}: unsupported $ref ${schema.$ref}`);
    return { ref: refName(schema.$ref) };
  }
  if (typesOf(schema).includes('object') || schema.properties || schema.allOf) return { object: objectFrom(schema, where, undefined, doc) };
  return { inline: simpleFrom(schema, where) };
}

function itemXmlName(items: SchemaObject, fallback: string): string {
  if (items.xml?.name) return items.xml.name;
  if (typeof items.$ref === 'string') return refName(items.$ref);
  return fallback;
}

function propertyFrom(name: string, schema: SchemaObject, doc: OpenApiDocument, where: string): Property {
  const { nullable, inner } = unwrapNullable(schema);
  const xml = { ...(inner.xml ?? {}), ...(schema.xml ?? {}) };
  const prop: Property = {
    name,
    xmlName: xml.name ?? name,
    attribute: xml.attribute === true,
    text: schema['x-em-text'] === true || inner['x-em-text'] === true,
    nullable,
    type: { inline: { kind: 'simple', base: 'string' } },
  };
  const types = typesOf(inner);
  if (types.includes('array')) {
    const items: SchemaObject = inner.items ?? {};
    prop.type = typeRefFrom(items, `${where}.${name}[]`, doc);
    prop.list = { wrapped: xml.wrapped === true, itemXmlName: itemXmlName(items, name) };
    return prop;
  }
  if (typeof inner.$ref === 'string') {
    const target = doc.components.schemas[refName(inner.$ref)];
    if (!target) throw new Error(`${where}.${name}: unresolved $ref ${inner.$ref}`);
    // A reference to an array component (LinkList) is a list; `wrapped` says whether <Links> wraps it.
    if (typesOf(target).includes('array')) {
      const items: SchemaObject = target.items ?? {};
      prop.type = typeRefFrom(items, `${where}.${name}[]`, doc);
      prop.list = { wrapped: xml.wrapped === true, itemXmlName: itemXmlName(items, name) };
      return prop;
    }
  }
  prop.type = typeRefFrom(inner, `${where}.${name}`, doc);
  return prop;
}

function objectFrom(schema: SchemaObject, where: string, name: string | undefined, doc: OpenApiDocument): ObjectType {
  const out: ObjectType = { kind: 'object', properties: [], roots: rootsOf(schema) };
  if (name) out.name = name;
  let own: SchemaObject = schema;
  if (Array.isArray(schema.allOf)) {
    const [first, ...rest] = schema.allOf as SchemaObject[];
    if (!first || typeof first.$ref !== 'string' || rest.length > 1) {
      throw new Error(`${where}: allOf must be [ {$ref: Base}, {own properties} ]`);
    }
    out.base = refName(first.$ref);
    own = { ...(rest[0] ?? {}), properties: { ...(rest[0]?.properties ?? {}), ...(schema.properties ?? {}) } };
  }
  for (const [propName, propSchema] of Object.entries<SchemaObject>(own.properties ?? {})) {
    out.properties.push(propertyFrom(propName, propSchema, doc, where));
  }
  const choice = schema['x-em-choice'] ?? own['x-em-choice'];
  if (Array.isArray(choice)) out.choice = choice;
  return out;
}

let cachedModel: { doc: OpenApiDocument; model: SchemaModel } | undefined;

export function buildModel(doc: OpenApiDocument = loadSpec()): SchemaModel {
  if (cachedModel?.doc === doc) return cachedModel.model;
  const types = new Map<string, ModelType>();
  const roots = new Map<string, string>();
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    const where = `components.schemas.${name}`;
    let type: ModelType;
    if (typesOf(schema).includes('array')) {
      const items: SchemaObject = schema.items ?? {};
      type = { kind: 'array', name, item: typeRefFrom(items, `${where}[]`, doc), itemXmlName: itemXmlName(items, name), roots: rootsOf(schema) };
    } else if (typesOf(schema).includes('object') || schema.properties || schema.allOf) {
      type = objectFrom(schema, where, name, doc);
    } else {
      type = simpleFrom(schema, where, name);
    }
    types.set(name, type);
    for (const root of 'roots' in type ? type.roots : []) {
      const previous = roots.get(root);
      if (previous && previous !== name) throw new Error(`root element ${root} claimed by ${previous} and ${name}`);
      roots.set(root, name);
    }
  }
  const model = { types, roots };
  cachedModel = { doc, model };
  return model;
}

export function getType(model: SchemaModel, name: string): ModelType {
  const t = model.types.get(name);
  if (!t) throw new Error(`unknown component schema '${name}'`);
  return t;
}

/** All properties of an object type, base properties first (XML order). */
export function allProperties(model: SchemaModel, type: ObjectType): Property[] {
  const chain: Property[][] = [];
  let current: ObjectType | undefined = type;
  const seen = new Set<string>();
  while (current) {
    chain.unshift(current.properties);
    const baseName: string | undefined = current.base;
    if (!baseName) break;
    if (seen.has(baseName)) throw new Error(`inheritance cycle at ${baseName}`);
    seen.add(baseName);
    const base = getType(model, baseName);
    if (base.kind !== 'object') throw new Error(`base ${baseName} of ${type.name} is not an object`);
    current = base;
  }
  return chain.flat();
}

/** Resolves a TypeRef to its model type (following component references). */
export function resolveTypeRef(model: SchemaModel, ref: TypeRef): SimpleType | ObjectType | ArrayType {
  if ('ref' in ref) return getType(model, ref.ref);
  if ('inline' in ref) return ref.inline;
  return ref.object;
}
