// Preloaded with `node --import`: records every module URL the process resolves into the file
// named by LABFORGE_IMPORT_LOG, so a test can see which packages a command really loads.
import { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url), { data: { out: process.env.LABFORGE_IMPORT_LOG } });
