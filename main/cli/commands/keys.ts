/**
 * `labforge keys add|list|revoke --class C`: students' SSH public keys for the gateway, stored as
 * Secrets in their namespaces (main/gateway/key-store.ts). The store loads inside the actions.
 */
import type { Command } from 'commander';
import { dnsLabelArg, studentIdArg } from '../args';
import { CommandFailure, InvalidInputError, UsageError } from '../errors';
import type { CliIO, CommandModule } from '../program';
import type { StoredKey } from '../../gateway/key-store';
import { withConnection, overClassCli, type ConnOpts } from '../engine-command';

interface KeyOpts extends ConnOpts {
  class: string;
  student?: string;
}

export const keysCommands: CommandModule = (program: Command, io: CliIO) => {
  const keys = program.command('keys').description("Students' SSH public keys for `labforge gateway`: add, list, revoke.");
  const sub = (name: string, description: string) => withConnection(keys.command(name).description(description).requiredOption('--class <name>', 'class name (DNS-1123 label)', dnsLabelArg('--class', 30)));

  sub('add', "Add a student's public key (a .pub file, or - for stdin); re-adding a key sets its new expiry.")
    .requiredOption('--student <id>', 'the student', studentIdArg('--student'))
    .argument('<file>', 'the public key file (e.g. id_ed25519.pub), or - to read it from stdin')
    .option('--expires <when>', 'a duration (12h, 14d, 2w) or a date (2026-12-24, 2026-12-24T18:00Z); default: never')
    .addHelpText('after', '\nRefused, with nothing stored: private keys, RSA keys under 2048 bits, DSA keys and anything that is not one public key line.\n\nExample:\n  labforge keys add --class net101 --student alice alice.pub --expires 14d')
    .action(async (file: string, opts: KeyOpts & { student: string; expires?: string }) => {
      let text: string;
      if (file === '-') {
        try {
          text = await readStdin();
        } catch (err) {
          throw new InvalidInputError([`-: cannot read it (${(err as Error).message})`]);
        }
      } else {
        // The one bounded reader: a FIFO or a device is refused, not waited on or read forever.
        text = (await import('../lab-input')).readLimited(file, { what: 'public key file', maxBytes: MAX_KEY_FILE_BYTES });
      }
      const { addKey } = await import('../../gateway/key-store');
      const [k] = (await overClassCli(opts, (p) => addKey(p.cluster, { className: opts.class, student: opts.student, key: text, ...(opts.expires !== undefined ? { expires: opts.expires } : {}) }), { student: opts.student })) as [StoredKey];
      io.stdout(`added ${k.type} key ${k.fingerprint}${k.comment ? ` (${k.comment})` : ''} for ${k.student}; ${k.expiresAt ? `expires ${k.expiresAt}` : 'does not expire'}\n`);
    });

  sub('list', 'List the keys of a class (or of one student), with fingerprints and expiry; never the keys themselves.')
    .option('--student <id>', 'only this student', studentIdArg('--student'))
    .action(async (opts: KeyOpts) => {
      const { listKeys, formatKeys } = await import('../../gateway/key-store');
      io.stdout(`${formatKeys((await overClassCli(opts, (p) => listKeys(p.cluster, opts.class, opts.student), opts.student !== undefined ? { student: opts.student } : undefined)).flat())}\n`);
    });

  sub('revoke', "Revoke a student's key (by fingerprint) or all their keys; live sessions on it end within a minute.")
    .requiredOption('--student <id>', 'the student', studentIdArg('--student'))
    .argument('[fingerprint]', 'SHA256:… as `keys list` prints it (a unique prefix will do)')
    .option('--all', 'every key of the student')
    .action(async (fingerprint: string | undefined, opts: KeyOpts & { student: string; all?: boolean }) => {
      if (!fingerprint === !opts.all) throw new UsageError('give a fingerprint or --all (not both)');
      const { revokeKeys } = await import('../../gateway/key-store');
      const revoked = (await overClassCli(opts, (p) => revokeKeys(p.cluster, opts.class, opts.student, fingerprint ? { fingerprint } : { all: true }), { student: opts.student })).flat();
      if (revoked.length === 0) throw new CommandFailure(`${opts.student} has no keys in class ${opts.class}`);
      for (const k of revoked) io.stdout(`revoked ${k.fingerprint}${k.comment ? ` (${k.comment})` : ''} of ${k.student}\n`);
    });
};

/** A public key is a few KiB; more is not one, and must not fill memory. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > MAX_KEY_FILE_BYTES) throw new Error('more than 64 KiB on stdin');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
