/**
 * A CLI process decodes one lab and exits. zod compiles a fast parser for each object schema
 * with `new Function` the first time it is used, which pays off only over many parses, and V8's
 * code cache (bin/labforge.mjs) cannot keep generated code. So the CLI turns that off; the
 * results are the same. zod reads the setting when a schema is built, so this module is
 * imported before any schema (first in lab-input.ts).
 */
import { config } from 'zod';

config({ jitless: true });
