import { beforeEach, describe, expect, it } from 'vitest';
import { freeCenter } from './auto-layout';
import { ITEM_SIZE, topLeftFor } from './doc';
import { useEditor } from './editor';
import { placePaletteItem } from '../lib/palette';

const ed = () => useEditor.getState();
const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < ITEM_SIZE.node.w && Math.abs(a.y - b.y) < ITEM_SIZE.node.h;

beforeEach(() => ed().newLab());

describe('placing a clicked palette item in free space', () => {
  it('keeps the spot when it is free, and moves off an item that is there', () => {
    expect(freeCenter(ed().doc, ITEM_SIZE.node, { x: 500, y: 500 })).toEqual({ x: 500, y: 500 });
    ed().add('container', topLeftFor('node', { x: 500, y: 500 }));
    const spot = freeCenter(ed().doc, ITEM_SIZE.node, { x: 500, y: 500 });
    expect(overlap(topLeftFor('node', spot), ed().doc.layout.nodes['node-1'] ?? Object.values(ed().doc.layout.nodes)[0]!)).toBe(false);
  });

  it('five clicks on "Container" give five nodes, none on top of another', () => {
    for (let i = 0; i < 5; i++) placePaletteItem({ type: 'blank', kind: 'container' } as Parameters<typeof placePaletteItem>[0], { x: 300, y: 300 }, { freeSpace: true });
    const places = Object.values(ed().doc.layout.nodes);
    expect(places).toHaveLength(5);
    for (let i = 0; i < places.length; i++) for (let j = i + 1; j < places.length; j++) expect(overlap(places[i]!, places[j]!), `${i} and ${j}`).toBe(false);
  });
});
