/**
 * The built-in templates, as main serves them (template.list reads resources/templates/*.yaml):
 * the palette lists them and a drop inserts one's lab. There is no copy of them in the renderer.
 */
import { create } from 'zustand';
import type { Response } from '../../../common/api/contract';
import { invoke } from '../api/client';
import { useUi } from './ui';

export type Template = Response<'template.list'>['templates'][number];

interface TemplatesState {
  /** null until loaded. */
  templates: Template[] | null;
  error: string | null;
}

export const useTemplates = create<TemplatesState>()(() => ({ templates: null, error: null }));

export async function loadTemplates(): Promise<void> {
  const r = await invoke('template.list', {});
  if (r.ok) return useTemplates.setState({ templates: r.value.templates, error: null });
  useTemplates.setState({ error: r.error.message });
  useUi.getState().notify('error', `Cannot load the templates: ${r.error.message}`);
}

export const templateNamed = (name: string): Template | undefined => useTemplates.getState().templates?.find((t) => t.name === name);
