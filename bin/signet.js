#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx registers the loader).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
