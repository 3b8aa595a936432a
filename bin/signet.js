#!/usr/bin/env node
// Runs the compiled build (npm run build) when present, else the TypeScript
// sources through tsx's loader.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('../dist/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
