import { Command, CommanderError } from 'commander';
import { CommandFailure, EXIT_INVALID, EXIT_USAGE, InvalidInputError, UsageError } from './errors';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Control characters other than the line ends commander writes itself, as \u escapes. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A command module adds its subcommands to the root program. */
export type CommandModule = (program: Command, io: CliIO) => void;

export function createProgram(io: CliIO, modules: CommandModule[]): Command {
  const program = new Command('labforge')
    .description('Draw a lab, compile it to Kubernetes, publish one isolated copy per student.')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own errors quote what was typed (an unknown option, an extra argument);
    // control characters in it are shown escaped so they cannot clear or rewrite the terminal.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(escapeControls(text)) })
    .addHelpText('after', '\nExit codes: 0 ok, 1 invalid input (the errors are listed), 2 usage error.');
  program.exitOverride();
  for (const add of modules) add(program, io);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: string[], io: CliIO, modules: CommandModule[]): Promise<number> {
  const program = createProgram(io, modules);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version surface as "errors" with exit code 0.
      if (err.exitCode === 0) return 0;
      return EXIT_USAGE;
    }
    if (err instanceof InvalidInputError) {
      for (const m of err.messages) io.stderr(`${m}\n`);
      io.stderr(`${err.messages.length} error${err.messages.length === 1 ? '' : 's'}\n`);
      return EXIT_INVALID;
    }
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n(run with --help for usage)\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CommandFailure) {
      io.stderr(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_INVALID;
  }
}
