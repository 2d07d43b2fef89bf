/**
 * What to do about an image a node could neither pull nor find, in the CLI's words. The engine
 * reports the image (NodeStatus.image); the commands that fix it are the CLI's to name. Our
 * machines reach no public registry, so on the local cluster the answer is its own registry.
 */
import { escapeControl } from '../../common/lab/escape';

/** One line per distinct missing image, naming who needs it; empty when no image is missing. */
export function imageHints(needs: { image?: string; where: string }[]): string {
  const byImage = new Map<string, string[]>();
  for (const n of needs) if (n.image) byImage.set(n.image, [...(byImage.get(n.image) ?? []), n.where]);
  const lines: string[] = [];
  for (const [image, where] of byImage) {
    const who = where.length > 3 ? `${where.slice(0, 3).join(', ')} and ${where.length - 3} more` : where.join(', ');
    lines.push(
      `image ${escapeControl(image)} (needed by ${escapeControl(who)}): no registry this cluster reaches has it. ` +
        `On the local cluster, build a stand-in with \`labforge cluster images ${escapeControl(image)}\` ` +
        '(`labforge cluster images --list` shows which exist) or push the image to its local registry; see docs/cluster.md, "Images".',
    );
  }
  return lines.join('\n');
}
