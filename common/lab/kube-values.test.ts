import { describe, expect, it } from 'vitest';
import { validateLab } from './index';
import { isEnvVarName } from './kube-values';

describe('environment variable names', () => {
  it('accepts what the API server accepts: letters, digits, _ - . not starting with a digit', () => {
    for (const name of ['PATH', '_x', 'discovery.type', 'spring.kafka.bootstrap-servers', '-dash', '.hidden', 'a..b']) expect(isEnvVarName(name), name).toBe(true);
    for (const name of ['', '1ST', 'MY VAR', 'A=B', 'é', '.', '..', '..x']) expect(isEnvVarName(name), name).toBe(false);
  });

  it('lets a lab carry dotted names', () => {
    const lab = { apiVersion: 'labforge.dev/v1alpha1', kind: 'Lab', metadata: { name: 'x' }, nodes: [{ name: 'es', kind: 'container', image: 'elasticsearch:8.14.1', env: { 'discovery.type': 'single-node' } }] };
    expect(validateLab(lab).ok).toBe(true);
    const bad = validateLab({ ...lab, nodes: [{ ...lab.nodes[0]!, env: { '..x': '1' } }] });
    expect(bad.ok ? [] : bad.issues.map((i) => i.message)).toEqual([expect.stringMatching(/not be "\." or start with "\.\."/)]);
  });
});
