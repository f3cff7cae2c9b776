import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { refused } from './text.js';

/**
 * XML for the bank readers: validated first (so a truncated file is refused with its line), no
 * DOCTYPE (no entity tricks), attributes as `@_name`, every value kept as a string.
 */
export type Node = Record<string, unknown>;

export function parseXml(xml: string, place: string, arrays: readonly string[]): Node {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw refused(place, 'DOCTYPE and ENTITY declarations are not accepted in a question bank');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw refused(`${place}, line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => arrays.includes(name),
  });
  return parser.parse(xml) as Node;
}

/** The text of an element that may be a plain string or carry attributes. */
export function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  const n = node as Node;
  return n['#text'] === undefined ? '' : String(n['#text']);
}

export const attr = (node: unknown, name: string): string | undefined =>
  node && typeof node === 'object' ? ((node as Node)[`@_${name}`] as string | undefined) : undefined;

export const list = (node: unknown): Node[] => (Array.isArray(node) ? node : node === undefined || node === '' ? [] : [node]) as Node[];
