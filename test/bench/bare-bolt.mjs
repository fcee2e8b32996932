// The ack-latency baseline: a Bolt app over HTTP that verifies the signature and acknowledges /oom,
// nothing else. Prints its port.
import { createServer } from "node:http";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  logLevel: LogLevel.ERROR,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
});
app.command("/oom", async ({ ack }) => {
  await ack();
});
const server = createServer(receiver.requestListener);
server.listen(0, "127.0.0.1", () => process.stderr.write(`listening on port ${server.address().port}\n`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
