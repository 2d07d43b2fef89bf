// Enforces the layer rule of docs/architecture.md over every source file in the repository.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, layerOf, violations } from './layers';

const root = join(import.meta.dirname, '../..');
const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && /^(common|main|renderer|preload)\//.test(f) && !/\.test\.tsx?$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('vite.config.ts'));

const check = (file: string, text: string) => violations(file, importsOf(file, text));

describe('layer rule', () => {
  it('covers every source folder', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((f) => !layerOf(f))).toEqual([]);
  });

  // Parsing every source file takes seconds when the machine is busy (CI runs the suites at once).
  it('holds for every source file', { timeout: 60_000 }, () => {
    const problems = sources.flatMap((f) => check(f, readFileSync(join(root, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('fails when a renderer file imports engine code', () => {
    expect(check('renderer/src/components/X.tsx', "import { deploy } from '../../../main/engine/deploy';")).toEqual([
      expect.stringMatching(/renderer\/ may not import main\//),
    ]);
    // Not even types: what the renderer knows of main is the wire, in common/.
    expect(check('renderer/src/components/X.tsx', "import type { Release } from '../../../main/engine/releases';")).toEqual([expect.stringMatching(/renderer\/ may not import types from main\//)]);
    expect(check('renderer/src/components/X.tsx', "import type { Result } from '../../../common/api/contract';")).toEqual([]);
    expect(check('renderer/src/components/X.tsx', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(check('renderer/src/components/X.tsx', "import { Exec } from '@kubernetes/client-node';")).toHaveLength(1);
  });

  it('fails when the engine imports electron, the API or the CLI', () => {
    expect(check('main/engine/deploy.ts', "import { app } from 'electron';")).toEqual([expect.stringMatching(/may load Electron/)]);
    expect(check('main/engine/deploy.ts', "const e = await import('electron');")).toHaveLength(1);
    expect(check('main/engine/deploy.ts', "import { createDispatcher } from '../api/dispatch';")).toHaveLength(1);
    expect(check('main/engine/deploy.ts', "export { runCli } from '../cli/program';")).toHaveLength(1);
    expect(check('main/engine/deploy.ts', "import { applyAll } from '../kube/apply';")).toEqual([]);
  });

  it('keeps common/ free of Node and of main/', () => {
    expect(check('common/compile/names.ts', "import { createHash } from 'node:crypto';")).toHaveLength(1);
    expect(check('common/lab/parse.ts', "import { connect } from '../../main/kube/client';")).toHaveLength(1);
    expect(check('common/lab/parse.ts', "import { parseQuantity } from './quantity';")).toEqual([]);
  });

  it('keeps @kubernetes/client-node values in main/kube/', () => {
    expect(check('main/streams/exec-session.ts', "import { Exec } from '@kubernetes/client-node';")).toEqual([expect.stringMatching(/values belong in main\/kube\//)]);
    expect(check('main/cluster/agent/volume-provisioner.ts', "import { makeInformer, type KubeConfig } from '@kubernetes/client-node';")).toHaveLength(1);
    expect(check('main/engine/deploy.ts', "const k8s = await import('@kubernetes/client-node');")).toHaveLength(1);
    // Types are erased: any Node layer may name them.
    expect(check('main/streams/exec-session.ts', "import type { KubeConfig, V1Status } from '@kubernetes/client-node';")).toEqual([]);
    expect(check('main/kube/exec.ts', "import { Exec, type KubeConfig } from '@kubernetes/client-node';")).toEqual([]);
  });

  it('keeps the preload to common/ and electron', () => {
    expect(check('preload/index.ts', "import type { LabforgeApi } from '../main/api/dispatch';")).toHaveLength(1);
    expect(check('preload/index.ts', "import { IPC_INVOKE } from '../common/ipc/ipc-channel';")).toEqual([]);
  });

  it('lets only the Electron entry points load electron', () => {
    expect(check('main/electron/window.ts', "import { BrowserWindow } from 'electron';")).toEqual([]);
    expect(check('main/transport/ipc.ts', "import type { IpcMain } from 'electron';")).toEqual([]);
    expect(check('main/transport/ipc.ts', "import { ipcMain } from 'electron';")).toHaveLength(1);
  });
});
