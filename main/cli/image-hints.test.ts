import { describe, expect, it } from 'vitest';
import { imageHints } from './image-hints';

describe('image hints', () => {
  it('names each missing image once, who needs it, and the way to add it', () => {
    const text = imageHints([
      { image: 'nginx:0.0-none', where: 's1/web' },
      { image: 'nginx:0.0-none', where: 's2/web' },
      { where: 's1/db' },
      { image: 'redis:9', where: 's1/cache' },
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('image nginx:0.0-none (needed by s1/web, s2/web)');
    expect(lines[0]).toContain('labforge cluster images nginx:0.0-none');
    expect(lines[1]).toContain('redis:9');
  });

  it('says nothing when no image is missing, and shortens a long list of who', () => {
    expect(imageHints([{ where: 'a' }])).toBe('');
    expect(imageHints(['a', 'b', 'c', 'd', 'e'].map((w) => ({ image: 'x:1', where: w })))).toContain('a, b, c and 2 more');
  });

  it('escapes control characters from an image name a lab file wrote', () => {
    expect(imageHints([{ image: 'evil\u001b[2J:1', where: 'w' }])).not.toContain('\u001b');
  });
});
