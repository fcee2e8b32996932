import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatQuantity, parseQuantity } from "../../../src/analysis/quantity.js";
import { roundUpHuman } from "../../../src/analysis/recommend.js";

describe("Kubernetes quantities", () => {
  const exact: Array<[string, number]> = [
    ["1000Mi", 1_048_576_000],
    ["100Mi", 104_857_600],
    ["1Gi", 1_073_741_824],
    ["1.5Gi", 1_610_612_736],
    ["512Ki", 524_288],
    ["1k", 1000],
    ["1M", 1_000_000],
    ["2G", 2_000_000_000],
    ["1e3", 1000],
    ["1Ti", 2 ** 40],
    ["2147483648", 2_147_483_648],
    ["1500m", 2],
    ["0", 0],
  ];
  for (const [text, bytes] of exact) {
    it(`when given ${text}, then it is ${bytes} bytes`, () => {
      assert.deepEqual(parseQuantity(text), { ok: true, bytes });
    });
  }

  for (const bad of ["", "1 Gi", "1GB", "Gi", "-1Gi", "1.2.3", "1e99"]) {
    it(`when given "${bad}", then it is refused with a reason`, () => {
      const result = parseQuantity(bad);
      assert.equal(result.ok, false);
      assert.match(result.ok ? "" : result.reason, new RegExp(bad === "" ? "quantity" : "."));
    });
  }

  it("when formatting, then the largest exact binary unit is used", () => {
    assert.equal(formatQuantity(1_048_576_000), "1000Mi");
    assert.equal(formatQuantity(1_610_612_736), "1536Mi");
    assert.equal(formatQuantity(2 * 2 ** 30), "2Gi");
    assert.equal(formatQuantity(1000), "1000");
  });

  it("when rounding a size up for people, then the step grows with the size", () => {
    const mi = 2 ** 20;
    assert.equal(roundUpHuman(300 * mi), 320 * mi);
    assert.equal(roundUpHuman(1263.5 * mi), 1280 * mi);
    assert.equal(roundUpHuman(1536 * mi), 1536 * mi);
    assert.equal(roundUpHuman(5000 * mi), 5120 * mi);
    assert.equal(roundUpHuman(9.2 * 2 ** 30), 10 * 2 ** 30);
  });
});
