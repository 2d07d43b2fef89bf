import { Option } from 'commander';
import { resolve } from 'node:path';
import { CommandFailure, UsageError } from '../errors';
import type { CommandModule } from '../program';

export const uiCommands: CommandModule = (program, io) => {
  program
    .command('ui')
    .description('Open the lab editor in your browser (served on 127.0.0.1, guarded by a one-time link).')
    .addOption(new Option('--port <n>', 'port to listen on (default: a free port)'))
    .option('--workspace <dir>', 'folder whose lab files the editor may read and write (default: the current folder)')
    .option('--no-open', 'print the link instead of opening a browser')
    .action(async (opts: { port?: string; workspace?: string; open: boolean }) => {
      let port = 0;
      if (opts.port !== undefined) {
        port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number between 0 and 65535 (got "${opts.port}")`);
      }
      const workspace = resolve(opts.workspace ?? process.cwd());
      // node:fs/promises is loaded here, not for every command (it costs milliseconds at start).
      const info = await (await import('node:fs/promises')).stat(workspace).catch(() => null);
      if (!info?.isDirectory()) throw new UsageError(`--workspace ${opts.workspace} is not a folder`);

      const { ensureRendererBuilt, openInBrowser, startUi } = await import('../../ui-server');
      const built = ensureRendererBuilt(io.stderr);
      if (!built.ok) throw new CommandFailure(built.message);
      let server;
      try {
        server = await startUi({ workspace, port, logError: (channel, err) => io.stderr(`[${channel}] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`) });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CommandFailure(code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port` : `cannot start the server: ${(err as Error).message}`);
      }
      io.stdout(`Labforge editor: ${server.url}\n`);
      io.stdout(`Workspace: ${workspace}\n`);
      io.stdout('The link works once (one browser session). Press Enter for a new link (after a browser restart), Ctrl+C to stop.\n');
      if (opts.open) openInBrowser(server.url);
      // A new link takes a keypress in this terminal: the same local access that started the
      // server, so nothing reachable over the loopback port can mint one.
      const { createInterface } = await import('node:readline');
      const lines = createInterface({ input: process.stdin, terminal: false });
      lines.on('line', () => {
        const link = server.newLink();
        io.stdout(`New link (works once; an unused earlier one no longer does): ${link}\n`);
        if (opts.open) openInBrowser(link);
      });
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          lines.close();
          void server.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
};
