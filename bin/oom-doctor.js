#!/usr/bin/env node
// The compiled CLI; `npm install` builds it through the `prepare` script.
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => Date.now(),
});
