import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // The sweep worker is its own entry: tinypool loads dist/sweep-worker.js beside dist/main.js.
  entry: { main: 'src/main.ts', 'sweep-worker': 'src/repro/sweep-worker.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Guest programs are assembler source read at run time; ship them beside the bundle.
  async onSuccess() {
    cpSync('src/demo/guest', 'dist/demo/guest', { recursive: true });
    cpSync('src/repro/guests', 'dist/repro/guests', { recursive: true });
  },
});
