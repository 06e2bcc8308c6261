#!/usr/bin/env node
// The `starmodel` command. StarModel runs TypeScript through tsx, so register it before loading the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../kernel/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
