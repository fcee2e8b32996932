import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Result } from "../../../src/errors.js";
import type { Series } from "../../../src/history/model.js";
import { type HttpAnswer, readRangeAnswer } from "../../../src/metrics/answer.js";

const WHERE = "Prometheus at http://prometheus:9090";

function answer(status: number, body: unknown, contentType = "application/json"): HttpAnswer {
  return {
    status,
    contentType,
    body: typeof body === "string" ? body : JSON.stringify(body),
    location: null,
  };
}

function kindOf(result: Result<Series[]>): string {
  return result.ok ? "ok" : result.error.kind;
}

describe("a range query's answer", () => {
  it("when it is a matrix, then points become milliseconds and numbers, NaN and infinities left out", () => {
    const result = readRangeAnswer(
      answer(200, {
        status: "success",
        data: {
          resultType: "matrix",
          result: [
            {
              metric: { pod: "api-1", container: "api" },
              values: [
                [1690000000.123, "12345"],
                [1690000060, "NaN"],
                [1690000120, "+Inf"],
                [1690000180, "-Inf"],
                [1690000240, "1.5e9"],
              ],
            },
            { metric: { pod: "api-0", container: "api" }, values: [[1690000000, "NaN"]] },
          ],
        },
        warnings: ["PromQL info: something"],
      }),
      WHERE,
    );
    assert.deepEqual(result, {
      ok: true,
      value: [
        {
          labels: { pod: "api-1", container: "api" },
          points: [
            [1690000000123, 12345],
            [1690000240000, 1.5e9],
          ],
        },
      ],
    });
  });

  it("when the server refuses, rejects the query or fails, then each maps to its kind with its words", () => {
    const badData = { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' };
    const cases: Array<[HttpAnswer, string, RegExp]> = [
      [
        answer(401, "Unauthorized\n", "text/plain"),
        "metrics-refused",
        /refused the request \(401\): "Unauthorized"/,
      ],
      [answer(403, { status: "error", error: "no org id" }), "metrics-refused", /\(403\): no org id/],
      [answer(400, badData), "metrics-error", /\(400\): parse error: unexpected "}"/],
      [answer(422, { ...badData, errorType: "execution" }), "metrics-error", /\(422\)/],
      [
        answer(503, { status: "error", errorType: "timeout", error: "query timed out" }),
        "timeout",
        /query timed out/,
      ],
      [
        answer(503, "<html>upstream down</html>", "text/html"),
        "metrics-unreachable",
        /\(503\): "<html>upstream/,
      ],
      [answer(500, { status: "error", errorType: "internal", error: "boom" }), "metrics-unreachable", /boom/],
      [answer(429, "slow down", "text/plain"), "metrics-unreachable", /\(429\)/],
      [answer(404, "404 page not found", "text/plain"), "metrics-error", /no Prometheus HTTP API there/],
      [{ ...answer(302, ""), location: "https://sso.example/login" }, "metrics-error", /sso\.example\/login/],
      [answer(200, "<html>Grafana</html>", "text/html"), "metrics-error", /text\/html that is not JSON/],
      [
        answer(200, { status: "success", data: { resultType: "vector", result: [] } }),
        "metrics-error",
        /without a matrix/,
      ],
      [
        answer(200, { status: "success", data: { resultType: "matrix", result: [7] } }),
        "metrics-error",
        /malformed series/,
      ],
    ];
    for (const [given, kind, words] of cases) {
      const result = readRangeAnswer(given, WHERE);
      assert.equal(kindOf(result), kind, `${given.status} ${given.body}`);
      assert.match(result.ok ? "" : result.error.message, words);
    }
  });

  it("when a body is long, then only its start is quoted", () => {
    const result = readRangeAnswer(answer(502, "x".repeat(10_000), "text/plain"), WHERE);
    assert.ok(!result.ok);
    assert.ok(result.error.message.length < 300, result.error.message);
  });
});
