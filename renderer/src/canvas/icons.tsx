/** Inline SVG icons (currentColor), one per node role plus networks and volumes. */
import type { JSX } from 'react';
import type { NodeRole } from './role';

type IconProps = { size?: number; className?: string };

const Svg = ({ size = 20, className, children }: IconProps & { children: JSX.Element | JSX.Element[] }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    {children}
  </svg>
);

export const ContainerIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 2.8 20.5 7.5v9L12 21.2 3.5 16.5v-9Z" />
    <path d="M3.5 7.5 12 12.2l8.5-4.7M12 12.2v9" />
  </Svg>
);
export const DesktopIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="2.8" y="3.8" width="18.4" height="12.4" rx="1.6" />
    <path d="M8.5 20.2h7M12 16.2v4" />
  </Svg>
);
export const VmIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3.5" y="3.5" width="17" height="7" rx="1.5" />
    <rect x="3.5" y="13.5" width="17" height="7" rx="1.5" />
    <path d="M7 7h.01M7 17h.01M11 7h6M11 17h6" />
  </Svg>
);
export const WebIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M3 12h18M12 3c2.6 2.6 3.6 5.6 3.6 9s-1 6.4-3.6 9c-2.6-2.6-3.6-5.6-3.6-9S9.4 5.6 12 3Z" />
  </Svg>
);
export const DatabaseIcon = (p: IconProps) => (
  <Svg {...p}>
    <ellipse cx="12" cy="5.5" rx="7.5" ry="2.8" />
    <path d="M4.5 5.5v13c0 1.5 3.4 2.8 7.5 2.8s7.5-1.3 7.5-2.8v-13M4.5 12c0 1.5 3.4 2.8 7.5 2.8s7.5-1.3 7.5-2.8" />
  </Svg>
);
export const RouterIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M8 9.5h7l-2-2M16 14.5H9l2 2" />
  </Svg>
);
export const NetworkIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="9" y="2.8" width="6" height="5" rx="1" />
    <rect x="2.8" y="16.2" width="6" height="5" rx="1" />
    <rect x="15.2" y="16.2" width="6" height="5" rx="1" />
    <path d="M12 7.8v4.2M5.8 16.2V12h12.4v4.2" />
  </Svg>
);
export const VolumeIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3" y="6" width="18" height="12" rx="2" />
    <path d="M7 14h.01M11 14h.01M3 10.5h18" />
  </Svg>
);
export const TemplateIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4z" />
    <path d="M16.5 13.5v6M13.5 16.5h6" />
  </Svg>
);

export const ROLE_ICON: Record<NodeRole, (p: IconProps) => JSX.Element> = {
  container: ContainerIcon,
  desktop: DesktopIcon,
  vm: VmIcon,
  web: WebIcon,
  database: DatabaseIcon,
  router: RouterIcon,
};

export const ROLE_LABEL: Record<NodeRole, string> = {
  container: 'Container',
  desktop: 'Desktop',
  vm: 'VM',
  web: 'Web server',
  database: 'Database',
  router: 'Router',
};
