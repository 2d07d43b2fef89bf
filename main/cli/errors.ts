/** Exit codes of the `labforge` command, as promised in --help and the README. */
export const EXIT_OK = 0;
/** The input (a lab file, a roster, a flag value) is invalid; the errors were listed. */
export const EXIT_INVALID = 1;
/** The command line itself is wrong: unknown command or flag, missing argument. */
export const EXIT_USAGE = 2;

/** Thrown by commands for bad input; main prints `messages` one per line and exits 1. */
export class InvalidInputError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
  }
}

/** Thrown by commands for a wrong command line; main prints it with a hint and exits 2. */
export class UsageError extends Error {}

/** An operational failure (cluster unreachable, forbidden...) with a one-line next step. */
export class CommandFailure extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
