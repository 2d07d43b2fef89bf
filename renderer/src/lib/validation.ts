/** Live validation: the same schema as the CLI, through the API, debounced. */
import { useEffect } from 'react';
import { invoke } from '../api/client';
import { toLab } from '../store/doc';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';

export const VALIDATE_DELAY_MS = 250;

export function useValidation(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastLab: unknown = null;
    const run = async () => {
      const doc = useEditor.getState().doc;
      const r = await invoke('lab.validate', { lab: toLab(doc) });
      if (!r.ok) return useUi.getState().notify('error', `Cannot check the lab for problems: ${r.error.message}`);
      // A newer edit may have landed meanwhile; its own run will report.
      if (useEditor.getState().doc.lab === doc.lab) useEditor.getState().setIssues(doc, r.value.issues);
    };
    const schedule = () => {
      const lab = useEditor.getState().doc.lab;
      // Moving boxes does not change what is valid.
      if (lab === lastLab) return;
      lastLab = lab;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), VALIDATE_DELAY_MS);
    };
    schedule();
    const unsubscribe = useEditor.subscribe(schedule);
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, []);
}
