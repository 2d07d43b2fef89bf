import { z } from 'zod';
import { labSchema } from './schema';

/** The JSON Schema editors use (e.g. yaml-language-server), generated from the zod schema. */
export function labJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(labSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $id: 'https://labforge.dev/schema/lab-v1alpha1.json',
    title: 'Labforge Lab (labforge.dev/v1alpha1)',
    ...schema,
  };
}
