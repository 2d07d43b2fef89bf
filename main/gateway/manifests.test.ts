import { describe, expect, it } from 'vitest';
import { gatewayManifests } from './manifests';

describe('gatewayManifests', () => {
  it("keeps students' own addresses at the Service (externalTrafficPolicy Local), so the limits per address are per student, not per node", () => {
    const objects = gatewayManifests({ className: 'net101', namespaces: ['net101-a'], image: 'img' });
    const service = objects.find((o) => o.kind === 'Service') as { spec?: { type?: string; externalTrafficPolicy?: string } } | undefined;
    expect(service?.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  });
});
