import { runCli } from './program';
import { allCommands } from './commands';

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
}, allCommands);
process.exitCode = code;
