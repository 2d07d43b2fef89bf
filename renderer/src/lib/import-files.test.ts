import { describe, expect, it } from 'vitest';
import { isEnvFileName, sortImportFiles } from './import-files';

describe('sorting the files picked for File › Import', () => {
  it('tells env files from the compose file', () => {
    expect(isEnvFileName('.env')).toBe(true);
    expect(isEnvFileName('staging.env')).toBe(true);
    expect(isEnvFileName('compose.yaml')).toBe(false);
    expect(isEnvFileName('env.yaml')).toBe(false);
  });
  it('takes one compose file and at most one env file', () => {
    expect(sortImportFiles([{ name: 'compose.yaml' }])).toEqual({ main: { name: 'compose.yaml' } });
    expect(sortImportFiles([{ name: '.env' }, { name: 'compose.yaml' }])).toEqual({ main: { name: 'compose.yaml' }, env: { name: '.env' } });
    expect(sortImportFiles([{ name: '.env' }])).toEqual({ problem: expect.stringMatching(/compose file too/) });
    expect(sortImportFiles([{ name: 'a.yaml' }, { name: 'b.yaml' }])).toEqual({ problem: expect.stringMatching(/one compose file/) });
    expect(sortImportFiles([{ name: 'a.yaml' }, { name: 'a.env' }, { name: '.env' }])).toEqual({ problem: expect.stringMatching(/at most one env file/) });
  });
});
