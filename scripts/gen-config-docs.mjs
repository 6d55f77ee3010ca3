#!/usr/bin/env node
// Writes docs/configuration.md from the config schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { configurationDoc } from '../dist/config/docs.js';
writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationDoc());
console.log('wrote docs/configuration.md');
