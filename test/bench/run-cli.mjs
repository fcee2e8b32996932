// Runs the built CLI in this process and reports, on stderr's last lines, how long the command took
// once its modules were loaded (what a long-running worker pays) and its peak RSS.

import { main } from "../../dist/src/cli/main.js";

const args = process.argv.slice(2);
// A bench whose history is generated for a given instant runs the command at that instant.
const fixedNow = process.env.BENCH_NOW_MS === undefined ? null : Number(process.env.BENCH_NOW_MS);
if (args[0] === "scan") await import("../../dist/src/cli/scan.js");
const started = process.hrtime.bigint();
const code = await main(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => fixedNow ?? Date.now(),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write(`\nrun-seconds ${seconds}\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
