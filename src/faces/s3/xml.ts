/**
 * @module
 * XML for the S3 wire: a tiny string builder for responses and a guarded
 * parser for request bodies. Request XML is size-capped by the caller and any
 * DTD is refused outright, so no entity can expand (billion laughs).
 */
import { XMLParser } from 'fast-xml-parser';
import { fail } from '../../core/errors.ts';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for XML 1.0; control characters become numeric references (as S3 writes them). */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[&<>"'\u0000-\u001f\u007f]/.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"'\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

export type XmlContent = string | number | boolean | readonly (string | null | undefined | false)[] | null | undefined;

/**
 * One element. A string/number/boolean is escaped text; an array holds
 * already-rendered children (falsy entries are dropped); null/undefined
 * renders nothing at all (optional elements).
 */
export function el(name: string, content: XmlContent): string {
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) return `<${name}>${content.filter(Boolean).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(content))}</${name}>`;
}

export function xmlDocument(root: string, children: readonly (string | null | undefined | false)[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${children.filter(Boolean).join('')}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  processEntities: true,
  htmlEntities: true, // numeric references (&#34;) as Go clients write them
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

/** Elements that may repeat in the request bodies Signet reads. */
const ARRAY_ELEMENTS = new Set(['Part', 'Object', 'Tag']);

/** Parses a request body. MalformedXML for anything that is not one well-formed document without a DTD. */
export function parseXml(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) fail('MalformedXML', 'XML with a DTD or entity declarations is not accepted');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch {
    fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  if (typeof doc !== 'object' || doc === null) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  return doc as Record<string, unknown>;
}

/** Reads a child element expected to be an object. */
export function child(node: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as Record<string, unknown>)[name];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads a repeated child element as a list of objects. */
export function children(node: unknown, name: string): Record<string, unknown>[] {
  if (typeof node !== 'object' || node === null) return [];
  const v = (node as Record<string, unknown>)[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
}

/** Reads a text child; empty elements parse as ''. */
export function text(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  return String(v);
}
