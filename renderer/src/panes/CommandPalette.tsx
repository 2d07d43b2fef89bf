/**
 * A small command palette (Ctrl+Shift+P) for opening terminals: "Open terminal: <namespace or
 * student> / <node>" for the lab's container nodes in its dev namespace, for every student of
 * the class on screen, and for a namespace the user types ("ns", or "ns/node"); and "Open VNC:"
 * the same way for nodes with a screen (VMs, desktop nodes).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { isDnsLabel } from '../../../common/lab/dns-label';
import { createPortal } from 'react-dom';
import { devNamespace } from '../../../common/compile/names';
import { useCluster } from '../class/store';
import { useEditor } from '../store/editor';
import { openTerminal, openVnc, type TerminalTarget } from './store';
import { nodeHasScreen, runsCommands } from '../../../common/lab/node-kinds';

interface Entry {
  label: string;
  hint: string;
  target: TerminalTarget;
  /** Opens a VNC pane on the node's screen instead of a terminal. */
  vnc?: boolean;
}


function entriesFor(query: string, labNodes: string[], dev: string, klass: { student: string; namespace: string }[], classNodes: string[], screenNodes: string[] = []): Entry[] {
  const known: Entry[] = [];
  const entry = (who: string, namespace: string, node: string, hint: string): Entry => ({ label: `Open terminal: ${who} / ${node}`, hint, target: { namespace, node, title: `${who} / ${node}` } });
  const vncEntry = (who: string, namespace: string, node: string, hint: string): Entry => ({ ...entry(who, namespace, node, hint), label: `Open VNC: ${who} / ${node}`, vnc: true });
  for (const n of labNodes) known.push(entry(dev, dev, n, 'dev namespace'));
  for (const n of screenNodes) known.push(vncEntry(dev, dev, n, 'dev namespace'));
  for (const row of klass) for (const n of classNodes) known.push(entry(row.student, row.namespace, n, row.namespace));
  for (const row of klass) for (const n of screenNodes) if (classNodes.includes(n)) known.push(vncEntry(row.student, row.namespace, n, row.namespace));
  const typed = query.trim().toLowerCase();
  const words = typed.split(/[\s/]+/).filter(Boolean);
  const matching = known.filter((e) => words.every((w) => e.label.toLowerCase().includes(w) || e.target.namespace.includes(w)));
  // A namespace typed by hand, after what is known: "ns/node" exactly, "ns" with the lab's nodes.
  const extra: Entry[] = [];
  const [ns, node, ...rest] = typed.split('/').map((p) => p.trim());
  const isKnown = (namespace: string) => namespace === dev || klass.some((r) => r.namespace === namespace);
  if (ns && isDnsLabel(ns) && rest.length === 0 && !isKnown(ns)) {
    if (node && isDnsLabel(node)) extra.push(entry(ns, ns, node, 'typed namespace'), vncEntry(ns, ns, node, 'typed namespace'));
    else if (!node) for (const n of labNodes) extra.push(entry(ns, ns, n, 'typed namespace'));
  }
  return [...matching, ...extra];
}

export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const lab = useEditor((s) => s.doc.lab);
  const klass = useCluster((s) => s.klass);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'p') {
        e.preventDefault();
        setQuery('');
        setIndex(0);
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const entries = useMemo(() => {
    if (!open) return [];
    const labNodes = lab.nodes.filter(runsCommands).map((n) => n.name);
    const screenNodes = lab.nodes.filter(nodeHasScreen).map((n) => n.name);
    const rows = klass?.rows.map((r) => ({ student: r.student, namespace: r.namespace })) ?? [];
    return entriesFor(query, labNodes, devNamespace(lab.metadata.name), rows, klass?.labNodes ?? [], screenNodes).slice(0, 200);
  }, [open, query, lab, klass]);

  if (!open) return null;
  const choose = (e: Entry | undefined) => {
    if (!e) return;
    setOpen(false);
    // A student's screen opens view-only; the instructor takes control with the pane's toggle.
    if (e.vnc) openVnc({ namespace: e.target.namespace, node: e.target.node ?? '', title: e.target.title, viewOnly: e.target.namespace !== devNamespace(lab.metadata.name) });
    else openTerminal(e.target);
  };
  return createPortal(
    <div className="cmdk-backdrop" onMouseDown={() => setOpen(false)}>
      <div className="cmdk" role="dialog" aria-label="Command palette" data-testid="command-palette" onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          className="cmdk-input"
          value={query}
          placeholder="Open terminal or VNC… (type a namespace, or namespace/node)"
          spellCheck={false}
          data-testid="command-input"
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
            else if (e.key === 'ArrowDown') {
              e.preventDefault();
              setIndex((i) => Math.min(entries.length - 1, i + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setIndex((i) => Math.max(0, i - 1));
            } else if (e.key === 'Enter') choose(entries[index]);
          }}
        />
        <ul className="cmdk-list" role="listbox">
          {entries.map((e, i) => (
            <li
              key={`${e.vnc ? 'vnc' : 'term'}:${e.target.namespace}/${e.target.node}`}
              role="option"
              aria-selected={i === index}
              className={`cmdk-item${i === index ? ' active' : ''}`}
              data-testid="command-item"
              onMouseEnter={() => setIndex(i)}
              onClick={() => choose(e)}
            >
              <span>{e.label}</span>
              <span className="muted small">{e.hint}</span>
            </li>
          ))}
          {entries.length === 0 ? <li className="cmdk-empty muted">No terminals or screens match. Type a namespace, or namespace/node.</li> : null}
        </ul>
      </div>
    </div>,
    document.body,
  );
}
