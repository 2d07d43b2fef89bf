import { describe, expect, it } from 'vitest';
import { loginPromptHost, VGA_COLUMNS, VGA_TEXT_BYTES, vgaTextLines } from './vga-text';

function screen(rows: Record<number, string>): Uint8Array {
  const b = new Uint8Array(VGA_TEXT_BYTES);
  for (let i = 0; i < b.length; i += 2) { b[i] = 0x20; b[i + 1] = 0x07; }
  for (const [row, text] of Object.entries(rows)) {
    [...text].forEach((ch, col) => { b[(Number(row) * VGA_COLUMNS + col) * 2] = ch.charCodeAt(0); });
  }
  return b;
}

describe('the VGA text console', () => {
  it('reads the characters and skips the attribute bytes', () => {
    const lines = vgaTextLines(screen({ 0: 'Debian GNU/Linux 12 vm-1 tty1', 2: 'vm-1 login: ' }));
    expect(lines).toHaveLength(25);
    expect(lines[0]).toBe('Debian GNU/Linux 12 vm-1 tty1');
    expect(loginPromptHost(lines)).toBe('vm-1');
  });

  it('finds no prompt on a screen of boot messages', () => {
    expect(loginPromptHost(vgaTextLines(screen({ 0: '[  OK  ] Started getty@tty1.service', 1: 'the login: field' })))).toBeUndefined();
  });
});
