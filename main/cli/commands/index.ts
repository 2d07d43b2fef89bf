import type { CommandModule } from '../program';
import { clusterCommands } from './cluster';
import { engineCommands } from './engine';
import { exportCommands } from './export';
import { importCommands } from './import';
import { labCommands } from './lab';
import { uiCommands } from './ui';

/** Every command module, in the order their commands appear in --help. */
export const allCommands: CommandModule[] = [
  labCommands,
  importCommands,
  engineCommands,
  exportCommands,
  uiCommands,
  clusterCommands,
];
