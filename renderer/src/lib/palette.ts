/** Puts a palette item on the canvas, from a drop or a click; shared by the palette and the canvas. */
import { freeCenter, ITEM_SIZE, labBoxSize, topLeftFor, type Pos } from '../store/doc';
import { useEditor } from '../store/editor';
import type { PaletteItem } from '../store/palette';
import { templateNamed } from '../store/templates';

const ENTITY = { container: 'node', vm: 'node', network: 'network', volume: 'volume' } as const;

/**
 * Places the item so that its centre (a template: the centre of its box) lands on `center`; with
 * `freeSpace` (a click, not a drop) as near to it as it can without covering another item.
 */
export function placePaletteItem(item: PaletteItem, at: Pos, { freeSpace = false } = {}): void {
  const editor = useEditor.getState();
  const doc = editor.doc;
  const template = item.type === 'blank' ? null : templateNamed(item.name);
  const size = item.type === 'blank' ? ITEM_SIZE[ENTITY[item.kind]] : template ? labBoxSize(template.lab) : { w: 0, h: 0 };
  const center = freeSpace ? freeCenter(doc, size, at) : at;
  if (item.type === 'blank') {
    editor.add(item.kind, topLeftFor(ENTITY[item.kind], center));
    return;
  }
  if (template) editor.insertLab(template.lab, center);
}
