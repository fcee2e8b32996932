import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isContainerName,
  isHexId,
  isJournalCursor,
  isNamespaceName,
  isObjectName,
  isObjectUid,
  isSlackChannelId,
  isSlackId,
  isSlackUserOrGroupId,
} from "../../../src/analysis/names.js";

const label63 = `a${"b".repeat(61)}c`;
const subdomain253 = `${Array.from({ length: 4 }, () => "x".repeat(62)).join(".")}.y`;

describe("name and id shapes", () => {
  const cases: Array<[string, (value: string) => boolean, string, boolean]> = [
    ["namespace", isNamespaceName, "payments", true],
    ["namespace", isNamespaceName, "team-2", true],
    ["namespace", isNamespaceName, "a", true],
    ["namespace", isNamespaceName, label63, true],
    ["namespace", isNamespaceName, `${label63}d`, false],
    ["namespace", isNamespaceName, "", false],
    ["namespace", isNamespaceName, "Payments", false],
    ["namespace", isNamespaceName, "-payments", false],
    ["namespace", isNamespaceName, "payments-", false],
    ["namespace", isNamespaceName, "kube.system", false],
    ["namespace", isNamespaceName, "all;rm", false],
    ["object", isObjectName, "api-7d9f8b6c5d-x2x7q", true],
    ["object", isObjectName, "web.v2", true],
    ["object", isObjectName, subdomain253, true],
    ["object", isObjectName, `${subdomain253}z`, false],
    ["object", isObjectName, "web..v2", false],
    ["object", isObjectName, ".web", false],
    ["object", isObjectName, "web.", false],
    ["object", isObjectName, "web.-v2", false],
    ["object", isObjectName, "Web", false],
    ["object", isObjectName, "", false],
    ["container", isContainerName, "app", true],
    ["container", isContainerName, "istio-proxy", true],
    ["container", isContainerName, "web.v2", false],
    ["container", isContainerName, "App", false],
    ["uid", isObjectUid, "6a1f0c52-8d3e-4d8b-9a43-2f0e7c5b1d10", true],
    ["uid", isObjectUid, "api-1", true],
    ["uid", isObjectUid, "", false],
    ["uid", isObjectUid, "6a1f/../x", false],
    ["uid", isObjectUid, "x".repeat(129), false],
    ["slack id", isSlackId, "C0123ABCD", true],
    ["slack id", isSlackId, "U1", true],
    ["slack id", isSlackId, "u0123", false],
    ["slack id", isSlackId, "C", false],
    ["channel", isSlackChannelId, "C0123ABCD", true],
    ["channel", isSlackChannelId, "G0123ABCD", true],
    ["channel", isSlackChannelId, "D0123ABCD", true],
    ["channel", isSlackChannelId, "U0123ABCD", false],
    ["channel", isSlackChannelId, "*", false],
    ["approver", isSlackUserOrGroupId, "U0123ABCD", true],
    ["approver", isSlackUserOrGroupId, "W0123ABCD", true],
    ["approver", isSlackUserOrGroupId, "S0123ABCD", true],
    ["approver", isSlackUserOrGroupId, "C0123ABCD", false],
    ["approver", isSlackUserOrGroupId, "<@U0123ABCD>", false],
    ["12-byte id", (value) => isHexId(value, 12), "0123456789abcdef01234567", true],
    ["12-byte id", (value) => isHexId(value, 12), "0123456789ABCDEF01234567", false],
    ["12-byte id", (value) => isHexId(value, 12), "0123456789abcdef0123456", false],
    ["12-byte id", (value) => isHexId(value, 12), "0123456789abcdef012345678", false],
    ["12-byte id", (value) => isHexId(value, 12), "../../0123456789abcdef01", false],
    ["16-byte id", (value) => isHexId(value, 16), "0123456789abcdef0123456789abcdef", true],
    [
      "cursor",
      isJournalCursor,
      "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c601396b14ea1a8c1e2b0f3d4e5a6;m=299a0d7;t=5ce4c3e4a0b2f;x=8e84f8a9",
      true,
    ],
    ["cursor", isJournalCursor, "s=1;i=2", false],
    [
      "cursor",
      isJournalCursor,
      "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c601396b14ea1a8c1e2b0f3d4e5a6;m=299a0d7;t=5ce4c3e4a0b2f;x=8e84f8a9;x=1",
      false,
    ],
    [
      "cursor",
      isJournalCursor,
      "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c601396b14ea1a8c1e2b0f3d4e5a6;m=299a0d7;t=5ce4c3e4a0b2f;x=8e84f8a9\n",
      false,
    ],
  ];
  for (const [kind, accepts, value, expected] of cases) {
    it(`${kind} ${JSON.stringify(value.length > 40 ? `${value.slice(0, 12)}…(${value.length})` : value)}: ${expected ? "accepted" : "refused"}`, () => {
      assert.equal(accepts(value), expected);
    });
  }
});
