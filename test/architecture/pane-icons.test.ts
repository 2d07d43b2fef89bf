import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Symbol blocks that many system fonts lack (the VNC toolbar showed empty boxes): misc technical
 * (⌃ ⌥ ⌦ ⎘), misc symbols and dingbats (⛶ ✓), supplemental arrows (⤢), emoji (👁).
 */
const UNSAFE = /[\u2300-\u23ff\u2600-\u27bf\u2900-\u297f\u{1f000}-\u{1ffff}]/u;

describe('pane toolbars', () => {
  for (const file of ['VncPane.tsx', 'TerminalPane.tsx', 'Dock.tsx']) {
    it(`${file} draws its tools with the app's own icons, not symbol characters a font may lack`, () => {
      const code = readFileSync(join(__dirname, '../../renderer/src/panes', file), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l));
      const found = code.flatMap((l, i) => (UNSAFE.test(l) ? [`${i + 1}: ${l.trim()}`] : []));
      expect(found).toEqual([]);
    });
  }
});
