import type { ApiDeps } from '../deps';
import type { Handler } from '../dispatch';

export const kubeContexts = (deps: ApiDeps): Handler<'kube.contexts'> => () => deps.kube.listContexts();

export const kubeTest = (deps: ApiDeps): Handler<'kube.test'> => ({ context, timeoutMs }) => deps.kube.testConnection(context, timeoutMs ?? 5000);
