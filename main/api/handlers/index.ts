import type { ApiDeps } from '../deps';
import type { Handlers } from '../dispatch';
import { appInfo } from './app';
import { checksHandlers } from './checks';
import { clusterOps } from './cluster-ops';
import { labCompilePreview, type CompilePreview } from './compile';
import { fileList, fileOpenDialog, fileRead, fileSaveDialog, fileWrite } from './file';
import { keysHandlers } from './keys';
import { kubeContexts, kubeTest } from './kube';
import { labImport, labParse, labSerialize, labValidate } from './lab';
import { reconcileHandlers } from './reconcile';
import { settingsAddRecent, settingsGet, settingsUpdate } from './settings';
import { terminalContainers, terminalOpen } from './terminal';
import { templateList } from './templates';
import { vncOpen } from './vnc';

/** Channels only some hosts serve: terminals and VNC need a stream transport, dialogs a window. */
export const HOST_ONLY_CHANNELS = ['terminal.open', 'terminal.containers', 'vnc.open', 'file.openDialog', 'file.saveDialog'] as const;
type HostOnly = (typeof HOST_ONLY_CHANNELS)[number];
/** Every other channel has its handler on every host, so a forgotten one fails to compile. */
export type HostHandlers = Omit<Handlers, HostOnly> & Partial<Pick<Handlers, HostOnly>>;

/** One handler per channel; channels a host cannot serve (native dialogs) are left out. */
export function createHandlers(deps: ApiDeps & { compile?: CompilePreview }): HostHandlers {
  const handlers: HostHandlers = {
    'app.info': appInfo(deps),
    'lab.parse': labParse,
    'lab.validate': labValidate,
    'lab.serialize': labSerialize,
    'lab.import': labImport,
    'lab.compilePreview': labCompilePreview(deps.compile),
    'template.list': templateList(deps),
    'file.read': fileRead(deps),
    'file.write': fileWrite(deps),
    'file.list': fileList(deps),
    'settings.get': settingsGet(deps),
    'settings.update': settingsUpdate(deps),
    'settings.addRecent': settingsAddRecent(deps),
    'kube.contexts': kubeContexts(deps),
    'kube.test': kubeTest(deps),
    ...clusterOps(deps),
    ...checksHandlers(deps),
    ...keysHandlers(deps),
    ...reconcileHandlers(deps),
  };
  if (deps.terminals) {
    handlers['terminal.open'] = terminalOpen(deps, deps.terminals);
    handlers['terminal.containers'] = terminalContainers(deps, deps.terminals);
  }
  if (deps.vnc) handlers['vnc.open'] = vncOpen(deps, deps.vnc);
  const open = fileOpenDialog(deps);
  const save = fileSaveDialog(deps);
  if (open) handlers['file.openDialog'] = open;
  if (save) handlers['file.saveDialog'] = save;
  return handlers;
}
