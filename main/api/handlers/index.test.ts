// Every channel of the contract has a handler: the compiler checks it for the channels every host
// serves (HostHandlers); this checks the whole table at run time, host-only channels included,
// so a channel added to the contract cannot answer `unsupported` by accident.
import { describe, expect, it } from 'vitest';
import { contract } from '../../../common/api/contract';
import type { ApiDeps } from '../deps';
import { createHandlers, HOST_ONLY_CHANNELS } from './index';

// Handlers are built eagerly but touch their dependencies only when called.
const deps = { mode: 'electron', version: '0.0.0', workspace: null, examplesDir: '/x', templatesDir: '/x' } as unknown as ApiDeps;
const channels = Object.keys(contract).sort();

describe('handler table', () => {
  it('has a handler for every contract channel on a host with streams and dialogs', () => {
    const full = createHandlers({ ...deps, terminals: {} as never, vnc: {} as never, dialogs: { open: async () => null, save: async () => null } });
    expect(Object.keys(full).sort()).toEqual(channels);
  });

  it('leaves out only the host-only channels where the host cannot serve them', () => {
    const bare = createHandlers(deps);
    expect(channels.filter((c) => !(c in bare))).toEqual([...HOST_ONLY_CHANNELS].sort());
    expect(HOST_ONLY_CHANNELS.every((c) => c in contract)).toBe(true);
  });
});
