/**
 * How a command file is written (the CLI starts in ~100 ms only if every file follows it):
 *
 * - One file per command family, main/cli/commands/<name>.ts, exporting a CommandModule that
 *   declares the commands (names, arguments, options, help) and is listed below.
 * - Every module here is loaded for every command, `--help` included. At the top a command file
 *   imports only: commander, node builtins, `import type` of anything, ../args (flag checks),
 *   ../errors, and the light helpers of the other command files (withConnection, classCommand,
 *   engine, labArg from ./engine; studentsFrom from ./lab). Never the engine, main/kube,
 *   client-node, kubernetes-models, ws, common/lab or common/compile (zod, yaml) at the top.
 * - Flag values are checked while parsing, with the parsers in ../args, so a bad value is a
 *   usage error (exit 2) before any file is read or any request is made.
 * - The action imports its implementation with `await import()` as its first step, e.g.
 *     .action(async (file, opts) => {
 *       const { deploy } = await import('../../engine/deploy');
 *       await engine(opts, (c) => deploy(c, ...));
 *     })
 *   The bundle (scripts/build-cli.mjs) turns each such import into a chunk loaded on demand.
 * - test/architecture/cli-imports.test.ts fails if what `--help` or the lab commands load
 *   statically reaches the Kubernetes client, kubernetes-models, ws or the renderer.
 */
import type { CommandModule } from '../program';
import { checkCommands } from './check';
import { classTimeCommands } from './class-time';
import { clusterCommands } from './cluster';
import { engineCommands } from './engine';
import { exportCommands } from './export';
import { gatewayCommands } from './gateway';
import { importCommands } from './import';
import { keysCommands } from './keys';
import { labCommands } from './lab';
import { reconcileCommands } from './reconcile';
import { scheduleCommands } from './schedule';
import { uiCommands } from './ui';

/** Every command module, in the order their commands appear in --help. */
export const allCommands: CommandModule[] = [
  labCommands,
  importCommands,
  engineCommands,
  classTimeCommands,
  checkCommands,
  reconcileCommands,
  scheduleCommands,
  exportCommands,
  keysCommands,
  gatewayCommands,
  uiCommands,
  clusterCommands,
];
