/** Generates schemas/em.xsd from the schema model (docs/architecture.md, "One source of truth"). */
import { EM_NAMESPACE } from './paths.ts';
import { buildModel, resolveTypeRef, type ObjectType, type Property, type SchemaModel, type SimpleType, type TypeRef } from './schema-model.ts';

const XS_BASE: Record<SimpleType['base'], string> = {
  string: 'xs:string',
  int: 'xs:int',
  long: 'xs:long',
  boolean: 'xs:boolean',
  dateTime: 'xs:dateTime',
  double: 'xs:double',
};

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** ECMAScript patterns in the spec are anchored (^…$); XSD patterns are implicitly anchored. */
export function toXsdPattern(pattern: string): string {
  let p = pattern;
  if (p.startsWith('^')) p = p.slice(1);
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  return p;
}

function restriction(simple: SimpleType, indent: string): string {
  const facets: string[] = [];
  if (simple.pattern) facets.push(`${indent}  <xs:pattern value="${esc(toXsdPattern(simple.pattern))}"/>`);
  for (const v of simple.enum ?? []) facets.push(`${indent}  <xs:enumeration value="${esc(v)}"/>`);
  if (!facets.length) return `${indent}<xs:restriction base="${XS_BASE[simple.base]}"/>`;
  return `${indent}<xs:restriction base="${XS_BASE[simple.base]}">\n${facets.join('\n')}\n${indent}</xs:restriction>`;
}

function hasFacets(simple: SimpleType): boolean {
  return Boolean(simple.pattern || simple.enum?.length);
}

class XsdWriter {
  constructor(private readonly model: SchemaModel) {}

  /** `type="…"` for a TypeRef, or undefined when it needs an anonymous type. */
  private namedType(ref: TypeRef): string | undefined {
    if ('ref' in ref) return ref.ref;
    if ('inline' in ref) return hasFacets(ref.inline) ? undefined : XS_BASE[ref.inline.base];
    return undefined;
  }

  private anonymousType(ref: TypeRef, indent: string): string {
    if ('inline' in ref) return `${indent}<xs:simpleType>\n${restriction(ref.inline, indent + '  ')}\n${indent}</xs:simpleType>`;
    if ('object' in ref) return this.complexBody(ref.object, indent, undefined);
    throw new Error('named types need no anonymous body');
  }

  private element(name: string, ref: TypeRef, occurs: string, indent: string): string {
    const named = this.namedType(ref);
    if (named) return `${indent}<xs:element name="${name}" type="${named}"${occurs}/>`;
    return `${indent}<xs:element name="${name}"${occurs}>\n${this.anonymousType(ref, indent + '  ')}\n${indent}</xs:element>`;
  }

  private propertyElement(prop: Property, indent: string, inChoice: boolean): string {
    const min = inChoice || !prop.nullable ? '' : ' minOccurs="0"';
    if (prop.list && !prop.list.wrapped) {
      return this.element(prop.list.itemXmlName, prop.type, ' minOccurs="0" maxOccurs="unbounded"', indent);
    }
    if (prop.list) {
      const item = this.element(prop.list.itemXmlName, prop.type, ' minOccurs="0" maxOccurs="unbounded"', indent + '      ');
      return `${indent}<xs:element name="${prop.xmlName}"${min}>\n${indent}  <xs:complexType>\n${indent}    <xs:sequence>\n${item}\n${indent}    </xs:sequence>\n${indent}  </xs:complexType>\n${indent}</xs:element>`;
    }
    return this.element(prop.xmlName, prop.type, min, indent);
  }

  private attribute(prop: Property, indent: string): string {
    const use = prop.nullable ? 'optional' : 'required';
    const named = this.namedType(prop.type);
    const resolved = resolveTypeRef(this.model, prop.type);
    if (resolved.kind !== 'simple') throw new Error(`attribute ${prop.name} must have a simple type`);
    if (named) return `${indent}<xs:attribute name="${prop.xmlName}" type="${named}" use="${use}"/>`;
    return `${indent}<xs:attribute name="${prop.xmlName}" use="${use}">\n${this.anonymousType(prop.type, indent + '  ')}\n${indent}</xs:attribute>`;
  }

  private particles(props: Property[], choice: string[] | undefined, indent: string): string {
    const elements = props.filter((p) => !p.attribute && !p.text);
    if (!elements.length) return '';
    const lines: string[] = [];
    let choiceDone = false;
    for (const prop of elements) {
      if (choice?.includes(prop.name)) {
        if (choiceDone) continue;
        choiceDone = true;
        const members = elements.filter((p) => choice.includes(p.name));
        lines.push(`${indent}  <xs:choice>`);
        for (const m of members) lines.push(this.propertyElement(m, indent + '    ', true));
        lines.push(`${indent}  </xs:choice>`);
      } else {
        lines.push(this.propertyElement(prop, indent + '  ', false));
      }
    }
    return `${indent}<xs:sequence>\n${lines.join('\n')}\n${indent}</xs:sequence>`;
  }

  complexBody(type: ObjectType, indent: string, name: string | undefined): string {
    const open = name ? `${indent}<xs:complexType name="${name}">` : `${indent}<xs:complexType>`;
    const text = type.properties.find((p) => p.text);
    const attrs = type.properties.filter((p) => p.attribute).map((p) => this.attribute(p, indent + (type.base || text ? '      ' : '  ')));
    const inner: string[] = [];
    if (text) {
      const base = this.namedType(text.type) ?? 'xs:string';
      inner.push(`${indent}  <xs:simpleContent>`, `${indent}    <xs:extension base="${base}">`, ...attrs, `${indent}    </xs:extension>`, `${indent}  </xs:simpleContent>`);
    } else if (type.base) {
      const seq = this.particles(type.properties, type.choice, indent + '      ');
      inner.push(`${indent}  <xs:complexContent>`, `${indent}    <xs:extension base="${type.base}">`);
      if (seq) inner.push(seq);
      inner.push(...attrs, `${indent}    </xs:extension>`, `${indent}  </xs:complexContent>`);
    } else {
      const seq = this.particles(type.properties, type.choice, indent + '  ');
      if (seq) inner.push(seq);
      inner.push(...attrs);
    }
    return [open, ...inner, `${indent}</xs:complexType>`].join('\n');
  }

  write(): string {
    const out: string[] = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<!-- Generated by `npm run generate` from spec/openapi.yaml (component schemas). Do not edit: a test fails when it drifts. -->',
      `<xs:schema xmlns="${EM_NAMESPACE}" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${EM_NAMESPACE}" elementFormDefault="qualified" attributeFormDefault="unqualified">`,
    ];
    for (const [root, component] of [...this.model.roots].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`  <xs:element name="${root}" type="${component}"/>`);
    }
    for (const [name, type] of this.model.types) {
      if (type.kind === 'simple') {
        out.push(`  <xs:simpleType name="${name}">`, restriction(type, '    '), '  </xs:simpleType>');
      } else if (type.kind === 'object') {
        out.push(this.complexBody(type, '  ', name));
      } else {
        const item = this.element(type.itemXmlName, type.item, ' minOccurs="0" maxOccurs="unbounded"', '      ');
        out.push(`  <xs:complexType name="${name}">`, '    <xs:sequence>', item, '    </xs:sequence>', '  </xs:complexType>');
      }
    }
    out.push('</xs:schema>', '');
    return out.join('\n');
  }
}

export function generateXsd(model: SchemaModel = buildModel()): string {
  return new XsdWriter(model).write();
}
