/**
 * The pane toolbars' icons as inline SVG, shipped with the app: symbol characters (⤢ ⌨ ⎘ ⛶ 👁)
 * depend on the system's fonts and render as empty boxes where a font lacks them.
 */
import type { JSX } from 'react';

const Icon = ({ children }: { children: JSX.Element | JSX.Element[] }) => (
  <svg width={15} height={15} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
    {children}
  </svg>
);

export const ScaleIcon = () => (
  <Icon>
    <path d="M15 3h6v6M9 21H3v-6M21 3l-7 7M3 21l7-7" />
  </Icon>
);
export const EyeIcon = () => (
  <Icon>
    <path d="M1.5 12S5.5 5 12 5s10.5 7 10.5 7-4 7-10.5 7S1.5 12 1.5 12Z" />
    <circle cx="12" cy="12" r="3" />
  </Icon>
);
export const KeyboardIcon = () => (
  <Icon>
    <rect x="2" y="6" width="20" height="12" rx="2" />
    <path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10" />
  </Icon>
);
export const CtrlAltDelIcon = () => (
  <Icon>
    <rect x="2" y="6" width="20" height="12" rx="2" />
    <path d="M9 9.5 15 14.5M15 9.5 9 14.5" />
  </Icon>
);
export const PasteIcon = () => (
  <Icon>
    <rect x="6" y="4" width="12" height="17" rx="2" />
    <path d="M9 4V2.8h6V4M9 10h6M9 14h6" />
  </Icon>
);
export const FullscreenIcon = () => (
  <Icon>
    <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
  </Icon>
);
export const ReconnectIcon = () => (
  <Icon>
    <path d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7" />
  </Icon>
);
export const SearchIcon = () => (
  <Icon>
    <circle cx="11" cy="11" r="6.5" />
    <path d="m16 16 5 5" />
  </Icon>
);
