// Errors as a channel hears them: the kind and what to do; node addresses, SSH users, file paths and a
// remote command's own output stay in the logs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { AppError } from "../../../src/errors.js";
import type { NodeStatusJson, Report } from "../../../src/report/model.js";
import { messages } from "../../../src/slack/i18n/catalog.js";
import { errorText } from "../../../src/slack/render/errors.js";
import { failedMessage } from "../../../src/slack/render/messages.js";
import { notesReply } from "../../../src/slack/render/report.js";
import { fixturePath } from "../../harness/fixtures.js";

const en = messages("en");

// As the SSH adapter words them (src/ssh/journal-source.ts).
const INTERNAL: AppError[] = [
  {
    kind: "host-key-unknown",
    message: "k8s-node-04: [10.0.4.14]:2222 is not in /etc/oom-doctor/ssh/known_hosts; not connecting",
    hint: "check the node's key fingerprint, then add it: ssh-keyscan -p 2222 10.0.4.14 >> /etc/oom-doctor/ssh/known_hosts",
  },
  {
    kind: "auth-refused",
    message: "k8s-node-04 (10.0.4.14:22): the node refused the key for user oomdoctor",
    hint: "is the public key in that user's authorized_keys?",
  },
  {
    kind: "ssh-error",
    message: "k8s-node-04: journalctl failed (sudo: a password is required <@U0ADMIN>)",
    hint: "check ssh.journalCommand and ssh.sudo",
  },
  { kind: "node-unreachable", message: "k8s-node-04 (10.0.4.14:22): cannot connect (ECONNREFUSED)" },
  {
    kind: "config-invalid",
    message: "OOM_DOCTOR_CONFIG: /etc/oom-doctor/oom-doctor.yaml: permission denied",
  },
  {
    kind: "api-unreachable",
    message: "cannot list pods: the API server is unreachable (connect 10.96.0.1:443)",
  },
];

const LEAKS = /10\.0\.4\.14|10\.96\.0\.1|oomdoctor|known_hosts|\/etc\/|sudo|<@U0ADMIN>/;

describe("errors in chat", () => {
  for (const error of INTERNAL) {
    it(`when a ${error.kind} error is shown, then only its kind and where the details are`, () => {
      const text = errorText(error, en);
      assert.doesNotMatch(text, LEAKS);
      assert.equal(text, `${en.errorKind[error.kind]}: ${en.errorInLogs}`);
    });
  }

  it("when the error names only what was asked about, then it is shown with its advice", () => {
    const text = errorText(
      {
        kind: "forbidden",
        message: "cannot list pods in namespace production: grant list on pods",
        hint: "see deploy/ for the ClusterRole oom-doctor needs",
      },
      en,
    );
    assert.equal(
      text,
      "forbidden by RBAC: cannot list pods in namespace production: grant list on pods (see deploy/ for the ClusterRole oom-doctor needs)",
    );
  });

  it("when an investigation fails at setup, then the root message keeps the path out", () => {
    const message = failedMessage("production", "U0ALICE", INTERNAL[4] as AppError, messages("zh-CN"));
    assert.doesNotMatch(JSON.stringify(message), LEAKS);
    assert.match(message.text, /配置错误: 详情见 oom-doctor 的日志/);
  });

  it("when nodes could not be read, then the notes reply names them and their kind, nothing more", () => {
    const seed = JSON.parse(
      readFileSync(fixturePath("seed", "expected", "report.golden.json"), "utf8"),
    ) as Report;
    const nodes: NodeStatusJson[] = INTERNAL.map((error, index) => ({
      node: `k8s-node-0${index}`,
      status: error.kind,
      message: error.message,
      hint: error.hint ?? null,
      windows: [],
      oldestEntry: null,
      kernelVersion: null,
      containerRuntime: null,
    }));
    const reply = notesReply({ ...seed, warnings: [], nodes }, en);
    assert.ok(reply);
    const text = JSON.stringify(reply);
    assert.doesNotMatch(text, LEAKS);
    assert.match(text, /\*k8s-node-00\*: host key unknown: the details are in oom-doctor's logs/);
    assert.match(text, /\*k8s-node-01\*: SSH login refused/);
  });
});
