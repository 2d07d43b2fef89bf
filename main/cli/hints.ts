/**
 * How the CLI words the next steps the engine suggests (KubeError.hint): the engine says what
 * to do, the CLI names the flag or command that does it. The app words the same hints itself.
 */
import type { KubeError, KubeHint } from '../kube/errors';

const CLI_HINTS: Record<KubeHint, string> = {
  force: 'pass --force to go ahead anyway',
  'choose-context': 'choose the kubeconfig with --kubeconfig and the context with --context',
  'start-local-cluster': 'pass --kubeconfig or --context, or start a local cluster with `labforge cluster up`',
  'check-cluster': 'check it with `labforge cluster status` (the local cluster), or pick another context with --context',
  'deploy-first': 'run `labforge deploy <lab>` first',
  'publish-first': 'publish to them with `labforge publish <lab>@<tag> --class <class> --student <id>`',
  'list-releases': 'list them with `labforge releases`',
  'lower-concurrency': 'lower --concurrency',
  'new-tag': 'choose another --tag',
  'later-end-date': 'set a later end date with `labforge expire --class <class> <date>`, or publish with a later --expires',
  'list-keys': 'list their keys with `labforge keys list --class <class> --student <id>`',
};

/** The error's message, then the CLI's wording of its hint on a line of its own. */
export function cliMessage(err: KubeError): string {
  return err.hint ? `${err.message}\nhint: ${CLI_HINTS[err.hint]}` : err.message;
}
