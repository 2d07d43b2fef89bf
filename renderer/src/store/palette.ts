/**
 * What the palette offers: a blank item of each kind the lab format has, and the built-in
 * templates, which main serves from resources/templates (store/templates.ts) so that dropping
 * one gives exactly what `labforge create <name>` writes. A blank node carries only what a node
 * needs to start; anything more is a template's business.
 */
import type { LabNode } from '../../../common/lab/schema';

export type BlankKind = 'container' | 'vm' | 'network' | 'volume';
export type PaletteItem = { type: 'blank'; kind: BlankKind } | { type: 'template'; name: string };

/** Generated names are the base plus a number: node-1, vm-1. */
export const BLANK_NODES: Record<'container' | 'vm', { base: string; node: Omit<LabNode, 'name'> }> = {
  // A container with nothing to run exits at once; sleeping keeps it up for the student.
  container: { base: 'node', node: { kind: 'container', image: 'alpine:3.20', command: ['sleep', 'infinity'] } },
  vm: { base: 'vm', node: { kind: 'vm', image: 'quay.io/containerdisks/fedora:40', resources: { requests: { cpu: '1', memory: '2Gi' } } } },
};
export const BLANK_VOLUME_SIZE = '1Gi';

/** The drag-and-drop data type; the data is the item's id. */
export const DND_TYPE = 'application/x-labforge-item';

const BLANK_KINDS: readonly BlankKind[] = ['container', 'vm', 'network', 'volume'];
const TEMPLATE_PREFIX = 'template-';

/** A stable id for tests and drag-and-drop: `container`, `template-webserver`. */
export const paletteItemId = (item: PaletteItem): string => (item.type === 'blank' ? item.kind : `${TEMPLATE_PREFIX}${item.name}`);

export function parsePaletteItemId(id: string): PaletteItem | null {
  const blank = BLANK_KINDS.find((k) => k === id);
  if (blank) return { type: 'blank', kind: blank };
  if (id.startsWith(TEMPLATE_PREFIX) && id.length > TEMPLATE_PREFIX.length) return { type: 'template', name: id.slice(TEMPLATE_PREFIX.length) };
  return null;
}
