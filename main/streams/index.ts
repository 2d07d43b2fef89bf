/** Terminal (exec) streams between the cluster and the panes; Electron-free. */
export { TerminalBridge, type BridgeStats, type StreamEndpoint } from './bridge';
export { defaultKubeConfig, loadKubeConfig, offerStream, type KubeConfigSource, type KubeWhere, type StreamConnect, type StreamConnector } from './connector';
export { TerminalError, type TerminalErrorCode } from './errors';
export { ExecSession, exitFromStatus, runOnce, type ExecExit, type ExecTarget } from './exec-session';
export { parsePaneControl, STREAM_PATH_PREFIX, STREAM_PROTOCOL, type MainControl, type PaneControl } from '../../common/streams/protocol';
export { hangupCommand, MarkerParser, shellCommand, type ShellIdentity } from './shell';
export { checkExecutable, findExecPod, findPod, podContainers, type ContainerInfo, type PodContainers, type TargetRef } from './target';
export {
  createTerminalService,
  DEFAULT_WINDOW,
  type OpenedSession,
  type OpenRequest,
  type SessionInfo,
  type TerminalService,
} from './terminals';
export { createWsStreamHub, wsEndpoint, type WsStreamHub } from './ws-hub';
export { createVncService, VNC_WINDOW, type VncOpened, type VncOpenRequest, type VncService, type VncSessionInfo } from './vnc-sessions';
