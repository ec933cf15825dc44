/**
 * The documented XML ⇄ JSON mapping, driven by the component schemas (em-api-notes §4.1).
 * toXml: JSON-form value → EM's XML (used by the mock). fromXml: EM's XML → JSON form (used by the suite to compare
 * the two representations of one resource field by field).
 */
import libxml from 'libxmljs2';
import { EM_NAMESPACE } from './paths.ts';
import { allProperties, buildModel, getType, resolveTypeRef, type ObjectType, type Property, type SchemaModel, type SimpleType, type TypeRef } from './schema-model.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** The prologue and namespace declarations real EM (.NET XmlSerializer) writes (em-api-notes §2.1). */
const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
const ROOT_NAMESPACES = ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${EM_NAMESPACE}"`;

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function scalarText(value: JsonValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** Compiled per object type: attributes, elements and text property, in XML order. */
interface Plan {
  attributes: Property[];
  elements: Property[];
  text?: Property;
}

export class XmlCodec {
  private readonly plans = new Map<ObjectType, Plan>();

  constructor(readonly model: SchemaModel = buildModel()) {}

  private plan(type: ObjectType): Plan {
    let p = this.plans.get(type);
    if (!p) {
      const props = allProperties(this.model, type);
      p = { attributes: props.filter((x) => x.attribute), elements: props.filter((x) => !x.attribute && !x.text) };
      const text = props.find((x) => x.text);
      if (text) p.text = text;
      this.plans.set(type, p);
    }
    return p;
  }

  componentForRoot(root: string): string {
    const name = this.model.roots.get(root);
    if (!name) throw new Error(`the root element <${root}> is not a representation the contract defines (no component has x-em-root '${root}')`);
    return name;
  }

  /** Serialises `value` (JSON form) as the document element `root`. */
  toXml(root: string, value: JsonValue, opts: { declaration?: boolean; indent?: boolean } = {}): string {
    const type = getType(this.model, this.componentForRoot(root));
    const out: string[] = [];
    if (opts.declaration !== false) out.push(XML_DECLARATION);
    this.writeValue(out, root, { ref: type.name ?? root }, value, ROOT_NAMESPACES, opts.indent ? '\n' : '');
    return out.join('');
  }

  private writeValue(out: string[], name: string, ref: TypeRef, value: JsonValue, extraAttrs: string, nl: string): void {
    const type = resolveTypeRef(this.model, ref);
    if (type.kind === 'simple') {
      const text = scalarText(value);
      out.push(text === '' ? `<${name}${extraAttrs} />` : `<${name}${extraAttrs}>${escapeText(text)}</${name}>`);
      return;
    }
    if (type.kind === 'array') {
      out.push(`<${name}${extraAttrs}>`);
      for (const item of (value as JsonValue[]) ?? []) this.writeValue(out, type.itemXmlName, type.item, item, '', nl);
      out.push(`</${name}>`);
      return;
    }
    const obj = (value ?? {}) as JsonObject;
    const plan = this.plan(type);
    let attrs = extraAttrs;
    for (const a of plan.attributes) {
      const v = obj[a.name];
      if (v !== null && v !== undefined) attrs += ` ${a.xmlName}="${escapeAttribute(scalarText(v))}"`;
    }
    if (plan.text) {
      const v = obj[plan.text.name];
      out.push(v === null || v === undefined || v === '' ? `<${name}${attrs} />` : `<${name}${attrs}>${escapeText(scalarText(v))}</${name}>`);
      return;
    }
    // Children are written straight into `out` (large lists would overflow a spread); the open tag becomes
    // self-closing when nothing was written after it.
    const openAt = out.length;
    out.push(`<${name}${attrs}>`);
    for (const e of plan.elements) {
      const v = obj[e.name];
      if (v === null || v === undefined) continue;
      if (e.list) {
        const items = v as JsonValue[];
        if (e.list.wrapped) {
          out.push(`${nl}<${e.xmlName}>`);
          for (const item of items) this.writeValue(out, e.list.itemXmlName, e.type, item, '', nl);
          out.push(`</${e.xmlName}>`);
        } else {
          for (const item of items) this.writeValue(out, e.list.itemXmlName, e.type, item, '', nl);
        }
      } else {
        out.push(nl);
        this.writeValue(out, e.xmlName, e.type, v, '', nl);
      }
    }
    if (out.length === openAt + 1) out[openAt] = `<${name}${attrs} />`;
    else out.push(`${nl}</${name}>`);
  }

  /**
   * Reads EM's XML into JSON form: every property of the component present, null where XML has nothing,
   * values typed by the schema (numbers, booleans). Unknown elements and attributes are ignored here; the XSD
   * check reports them.
   */
  fromXml(xml: string): { root: string; namespace: string | null; value: JsonObject } {
    return this.fromDocument(libxml.parseXml(xml, { nonet: true, noent: false, nocdata: false, huge: false }));
  }

  /** fromXml for a document already parsed (by the validator, for one). */
  fromDocument(doc: libxml.Document): { root: string; namespace: string | null; value: JsonObject } {
    const rootEl = doc.root();
    if (!rootEl) throw new Error('XML document has no root element');
    const root = rootEl.name();
    const ns = rootEl.namespace()?.href() ?? null;
    const type = getType(this.model, this.componentForRoot(root));
    if (type.kind !== 'object') throw new Error(`root ${root} is not an object type`);
    return { root, namespace: ns, value: this.readObject(rootEl, type) };
  }

  private readScalar(text: string, simple: SimpleType): JsonValue {
    switch (simple.base) {
      case 'int':
      case 'long':
      case 'double': {
        const n = Number(text);
        return Number.isFinite(n) && text.trim() !== '' ? n : text;
      }
      case 'boolean':
        return text === 'true' ? true : text === 'false' ? false : text;
      default:
        return text;
    }
  }

  private readTyped(el: libxml.Element, ref: TypeRef): JsonValue {
    const type = resolveTypeRef(this.model, ref);
    if (type.kind === 'simple') return this.readScalar(el.text(), type);
    if (type.kind === 'array') return (childrenByName(el).get(type.itemXmlName) ?? []).map((c) => this.readTyped(c, type.item));
    return this.readObject(el, type);
  }

  private readObject(el: libxml.Element, type: ObjectType): JsonObject {
    const plan = this.plan(type);
    const out: JsonObject = {};
    const children = childrenByName(el);
    for (const p of [...plan.attributes, ...plan.elements, ...(plan.text ? [plan.text] : [])]) {
      if (p.attribute) {
        const attr = el.attr(p.xmlName);
        const simple = resolveTypeRef(this.model, p.type);
        out[p.name] = attr ? (simple.kind === 'simple' ? this.readScalar(attr.value(), simple) : attr.value()) : null;
      } else if (p.text) {
        const simple = resolveTypeRef(this.model, p.type);
        out[p.name] = simple.kind === 'simple' ? this.readScalar(el.text(), simple) : el.text();
      } else if (p.list && !p.list.wrapped) {
        out[p.name] = (children.get(p.list.itemXmlName) ?? []).map((c) => this.readTyped(c, p.type));
      } else if (p.list) {
        const wrapper = children.get(p.xmlName)?.[0];
        out[p.name] = wrapper ? (childrenByName(wrapper).get(p.list.itemXmlName) ?? []).map((c) => this.readTyped(c, p.type)) : null;
      } else {
        const child = children.get(p.xmlName)?.[0];
        out[p.name] = child ? this.readTyped(child, p.type) : null;
      }
    }
    return out;
  }
}

/**
 * The child elements of `el` by name, in document order. Each call into a libxmljs2 node crosses into native code,
 * so every name is read once here instead of once per property the plan looks for.
 */
function childrenByName(el: libxml.Element): Map<string, libxml.Element[]> {
  const byName = new Map<string, libxml.Element[]>();
  for (const n of el.childNodes()) {
    if (n.type() !== 'element') continue;
    const c = n as libxml.Element;
    const name = c.name();
    const list = byName.get(name);
    if (list) list.push(c);
    else byName.set(name, [c]);
  }
  return byName;
}

let shared: XmlCodec | undefined;
export function codec(): XmlCodec {
  shared ??= new XmlCodec();
  return shared;
}
