import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is a plain web app; the same bundle runs in Electron (app://labforge) and in
// a browser (`labforge ui`). Relative asset URLs make it work under both origins.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: true,
  },
});
