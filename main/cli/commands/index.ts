import type { CommandModule } from '../program';

/** Every command module, in the order their commands appear in --help. */
export const allCommands: CommandModule[] = [];
