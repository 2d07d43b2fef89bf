import { beforeEach, describe, expect, it } from 'vitest';
import { defaultDockHeight, MIN_DOCK, openTerminal, openVnc, vncDockHeight, removePane, showPane, toggleSplit, usePanes } from './store';

const t = (node: string) => ({ namespace: 'ns', node, title: `ns / ${node}` });
const shown = () => {
  const s = usePanes.getState();
  return { left: s.left, right: s.split ? s.right : null, split: s.split, tabs: s.panes.map((p) => p.id) };
};

beforeEach(() => usePanes.setState({ panes: [], left: null, right: null, split: false, focus: 'left', open: true }));

describe('the dock store', () => {
  it('shows a new pane at once and pairs it with the one shown before when split', () => {
    const a = openTerminal(t('a'));
    const b = openTerminal(t('b'));
    expect(shown()).toMatchObject({ left: b, right: null, split: false });
    toggleSplit();
    // Tab order left to right; the pane that was shown keeps the focus.
    expect(shown()).toMatchObject({ left: a, right: b, split: true });
    expect(usePanes.getState().focus).toBe('right');
    toggleSplit();
    expect(shown()).toMatchObject({ split: false });
  });

  it('fills the focused side when a tab is clicked while split, swapping if it is on the other', () => {
    const a = openTerminal(t('a'));
    const b = openTerminal(t('b'));
    const c = openTerminal(t('c'));
    showPane(a);
    toggleSplit();
    expect(shown()).toMatchObject({ left: a, right: c });
    usePanes.setState({ focus: 'left' });
    showPane(b);
    expect(shown()).toMatchObject({ left: b, right: c });
    showPane(c);
    expect(shown()).toMatchObject({ left: c, right: b });
  });

  it('gives a closed pane’s place to its partner or neighbour and unsplits when one is left', () => {
    const a = openTerminal(t('a'));
    const b = openTerminal(t('b'));
    toggleSplit();
    removePane(b);
    expect(shown()).toMatchObject({ left: a, split: false, tabs: [a] });
    removePane(a);
    expect(shown()).toMatchObject({ left: null, tabs: [] });
  });
});

describe('defaultDockHeight', () => {
  it('leaves a laptop screen most of its height and stays at 300 px on a large one', () => {
    expect(defaultDockHeight(768)).toBe(230);
    expect(defaultDockHeight(1080)).toBe(300);
    expect(defaultDockHeight(300)).toBe(MIN_DOCK);
  });
});

describe('a VNC pane', () => {
  it('grows the dock to about half the window, and never shrinks it', () => {
    usePanes.setState({ height: 230 });
    openVnc({ namespace: 'ns', node: 'desk', title: 'desk', viewOnly: true });
    // Tests run without a window: the store takes 1000 px then.
    expect(usePanes.getState().height).toBe(vncDockHeight(1000));
    expect(vncDockHeight(768)).toBe(369);
    usePanes.setState({ height: 900 });
    openVnc({ namespace: 'ns', node: 'desk', title: 'desk', viewOnly: true });
    expect(usePanes.getState().height).toBe(900);
  });
});
