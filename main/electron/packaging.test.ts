/**
 * electron-builder.yml is validated by electron-builder's own schema check (the one `npm run
 * package` runs first), and the Electron fuses the security checklist relies on are set.
 * Packaging itself needs an Electron download, so CI with internet builds the artifacts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appRoot } from '../paths';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };

const config = parse(readFileSync(join(appRoot(), 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & { electronFuses?: Record<string, boolean> };
const validate = (c: unknown) => validateConfiguration(c, new DebugLogger(false));

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  }, 60_000);

  it('the validation is real: a misspelled fuse or a wrong type is refused', async () => {
    await expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } })).rejects.toThrow(/configuration\.electronFuses/);
    await expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } })).rejects.toThrow(/configuration\.electronFuses/);
    await expect(validate({ ...config, electronFusez: {} })).rejects.toThrow(/electronFusez/);
  }, 60_000);

  it('turns off RunAsNode, NODE_OPTIONS and inspect, and turns on asar integrity and only-load-from-asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config['asar']).toBe(true);
  });
});
