import { runCli } from './program';
import { allCommands } from './commands';

// A reader that stops early (`labforge compile lab.yaml | head`) closes the pipe: stop
// quietly, as other command-line tools do, instead of crashing on the failed write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// No top-level await: the same entry is also bundled as CommonJS (scripts/build-cli.mjs), where
// there is none.
void runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
}, allCommands).then((code) => {
  process.exitCode = code;
});
