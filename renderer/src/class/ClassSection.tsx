/**
 * A collapsible section of the class dashboard below the students × nodes grid (checks, health,
 * web links, SSH keys). The grid keeps the screen; these follow it on a page that scrolls, each
 * one a heading that opens and closes it, with a one-line summary that shows while it is closed.
 * Open or closed is remembered per section for the session.
 */
import type { ReactNode } from 'react';
import { create } from 'zustand';

export type SectionId = 'checks' | 'health' | 'links' | 'keys';

export const SECTIONS: { id: SectionId; title: string }[] = [
  { id: 'checks', title: 'Checks' },
  { id: 'health', title: 'Health' },
  { id: 'links', title: 'Web links' },
  { id: 'keys', title: 'SSH keys' },
];

export const useSections = create<Record<SectionId, boolean>>()(() => ({ checks: true, health: true, links: true, keys: true }));

/** Opens a section and scrolls the page to it (the header's section links). */
export function goToSection(id: SectionId): void {
  useSections.setState({ [id]: true });
  requestAnimationFrame(() => document.getElementById(`class-section-${id}`)?.scrollIntoView({ block: 'start' }));
}

/** `testId` names the open section's body (what the section shows). */
export function ClassSection({ id, summary, actions, children, testId }: { id: SectionId; summary?: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  const open = useSections((s) => s[id]);
  const title = SECTIONS.find((s) => s.id === id)!.title;
  return (
    <section className={`class-section${open ? ' open' : ''}`} id={`class-section-${id}`} data-testid={`class-section-${id}`}>
      <div className="class-section-head">
        <button className="class-section-toggle" aria-expanded={open} data-testid={`class-section-toggle-${id}`} onClick={() => useSections.setState({ [id]: !open })}>
          <span className="class-section-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <strong>{title}</strong>
        </button>
        {summary ? <span className="muted small class-section-summary">{summary}</span> : null}
        <span className="grow" />
        {open ? actions : null}
      </div>
      {open ? (
        <div className="class-section-body" data-testid={testId}>
          {children}
        </div>
      ) : null}
    </section>
  );
}
