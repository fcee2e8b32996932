import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markdownPicture, pictureFileName } from "../../../src/history/markdown-picture.js";

describe("the memory picture in Markdown", () => {
  it("when a workload is named, then its picture's file name is safe and its own", () => {
    assert.equal(pictureFileName("shop/Deployment/checkout"), "memory_shop_Deployment_checkout.png");
    assert.equal(pictureFileName("a/Deployment/b.c"), "memory_a_Deployment_b.c.png");
    assert.equal(pictureFileName("../x y/Deployment/z"), "memory_.._x-y_Deployment_z.png");
    assert.notEqual(pictureFileName("a-b/Deployment/c"), pictureFileName("a/Deployment/b-c"));
  });

  it("when shown in a report, then the line points at the file and its text cannot break the link", () => {
    assert.equal(
      markdownPicture("shop/Deployment/checkout", "memory_shop_Deployment_checkout.png"),
      "![memory of shop/Deployment/checkout before its kills](memory_shop_Deployment_checkout.png)",
    );
    assert.equal(
      markdownPicture("x/Kind/a]b", "memory x.png"),
      "![memory of x/Kind/a\\]b before its kills](memory%20x.png)",
    );
  });
});
