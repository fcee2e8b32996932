// Commands suggested to people: whatever the names hold, a shell hands each argument over whole.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { patchCommand } from "../../src/proposals/rules.js";
import { shellCommand, shellQuote } from "../../src/shell.js";

/** The words /bin/sh makes of a command line, as the program it runs would receive them. */
function wordsOf(commandLine: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${commandLine}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("shell quoting", () => {
  it("when a word holds only plain characters, then it stays bare", () => {
    assert.equal(shellQuote("production"), "production");
    assert.equal(shellQuote("app.kubernetes.io/name=web:1,2@x%y+z"), "app.kubernetes.io/name=web:1,2@x%y+z");
  });

  const hostile = [
    "",
    "two words",
    "x'; rm -rf / #",
    "$(id)",
    "`reboot`",
    'a"b\\c',
    "line\nbreak",
    "*?[a]~",
    "'",
    "生产",
  ];
  for (const word of hostile) {
    it(`when a word is ${JSON.stringify(word)}, then the shell reads it back as that one word`, () => {
      assert.deepEqual(wordsOf(shellCommand(["first", word, "last"])), ["first", word, "last"]);
    });
  }
});

describe("the suggested kubectl patch", () => {
  it("when names and the container carry shell syntax, then every argument arrives as written", () => {
    const change = {
      namespace: "prod$(id)",
      kind: "Deployment",
      name: "web'; touch /tmp/pwned; '",
      container: "app' && reboot && echo '",
      limit: "1280Mi",
      request: null,
    };
    const words = wordsOf(patchCommand(change).replace(/^kubectl /, ""));
    assert.deepEqual(words.slice(0, 8), [
      "-n",
      "prod$(id)",
      "patch",
      "deployment",
      "web'; touch /tmp/pwned; '",
      "--type",
      "strategic",
      "-p",
    ]);
    const patch = JSON.parse(words[8] ?? "") as {
      spec: { template: { spec: { containers: Array<{ name: string }> } } };
    };
    assert.equal(patch.spec.template.spec.containers[0]?.name, "app' && reboot && echo '");
  });
});
