/** Puts a palette item on the canvas, from a drop or a click; shared by the palette and the canvas. */
import { freeCenter, labBoxSize } from '../store/auto-layout';
import { templateNetworkChoice } from '../store/clipboard';
import { ITEM_SIZE, topLeftFor, type Pos } from '../store/doc';
import { useEditor } from '../store/editor';
import type { PaletteItem } from '../store/palette';
import { templateNamed } from '../store/templates';
import { chooseNetworkDialog } from '../store/ui';

const ENTITY = { container: 'node', vm: 'node', network: 'network', volume: 'volume' } as const;

/**
 * Places the item so that its centre (a template: the centre of its box) lands on `center`; with
 * `freeSpace` (a click, not a drop) as near to it as it can without covering another item.
 * A template dropped into a lab of several networks first asks which one it joins; cancelling
 * that adds nothing.
 */
export async function placePaletteItem(item: PaletteItem, at: Pos, { freeSpace = false } = {}): Promise<void> {
  const editor = useEditor.getState();
  const doc = editor.doc;
  const template = item.type === 'blank' ? null : templateNamed(item.name);
  const size = item.type === 'blank' ? ITEM_SIZE[ENTITY[item.kind]] : template ? labBoxSize(template.lab) : { w: 0, h: 0 };
  const center = freeSpace ? freeCenter(doc, size, at) : at;
  if (item.type === 'blank') {
    editor.add(item.kind, topLeftFor(ENTITY[item.kind], center));
    return;
  }
  if (!template) return;
  const choice = templateNetworkChoice(doc, template.lab);
  if (choice.kind !== 'ask') {
    editor.insertLab(template.lab, center);
    return;
  }
  const answer = await chooseNetworkDialog(template.title || template.name, choice.networks);
  if (answer === undefined) return;
  // Place it against the doc as it is now, where the drop or click meant it.
  useEditor.getState().insertLab(template.lab, center, answer);
}
