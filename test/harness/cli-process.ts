// The CLI as its own process, from the TypeScript sources (no build needed): for tests that must kill
// a bot process or send it signals.
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => Date.now(),
});
