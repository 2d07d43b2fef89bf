/** Puts a palette item on the canvas, from a drop or a click; shared by the palette and the canvas. */
import { topLeftFor, type Pos } from '../store/doc';
import { useEditor } from '../store/editor';
import type { PaletteItem } from '../store/palette';
import { templateNamed } from '../store/templates';

const ENTITY = { container: 'node', vm: 'node', network: 'network', volume: 'volume' } as const;

/** Places the item so that its centre (a template: the centre of its box) lands on `center`. */
export function placePaletteItem(item: PaletteItem, center: Pos): void {
  const editor = useEditor.getState();
  if (item.type === 'blank') {
    editor.add(item.kind, topLeftFor(ENTITY[item.kind], center));
    return;
  }
  const template = templateNamed(item.name);
  if (template) editor.insertLab(template.lab, center);
}
