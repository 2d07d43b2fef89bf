// What a VM shows on its VGA text console (the screen a VNC viewer sees while the guest's
// console is in text mode): the 80×25 text buffer at 0xB8000 holds a character and an attribute
// byte per cell. Reading it tells whether tty1 shows a login prompt without any OCR.

export const VGA_TEXT_ADDRESS = 0xb8000;
export const VGA_COLUMNS = 80;
export const VGA_ROWS = 25;
export const VGA_TEXT_BYTES = VGA_COLUMNS * VGA_ROWS * 2;

/** The screen's lines, trailing blanks trimmed; code page 437 beyond ASCII shows as '?'. */
export function vgaTextLines(buffer: Uint8Array): string[] {
  const lines: string[] = [];
  for (let row = 0; row < VGA_ROWS; row++) {
    let line = '';
    for (let col = 0; col < VGA_COLUMNS; col++) {
      const c = buffer[(row * VGA_COLUMNS + col) * 2] ?? 0x20;
      line += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0 ? ' ' : '?';
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** The host name of the `<host> login:` prompt on screen, if there is one. */
export function loginPromptHost(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(\S+) login:$/.exec(lines[i] as string);
    if (m) return m[1];
  }
  return undefined;
}
