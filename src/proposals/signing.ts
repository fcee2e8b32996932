// Proposal records are signed: anyone who can write to Redis could otherwise mark a proposal approved,
// raise its limit or name another workload. The signature is HMAC-SHA256 over the canonical record
// (keys sorted at every level, no whitespace), so it does not depend on how JSON was written.

import { createHmac, timingSafeEqual } from "node:crypto";

/** The record as one canonical JSON text: object keys sorted, recursively. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function signRecord(record: unknown, key: string): string {
  return createHmac("sha256", key).update(canonicalJson(record)).digest("hex");
}

export function signatureMatches(record: unknown, signature: unknown, key: string): boolean {
  if (typeof signature !== "string" || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signRecord(record, key), "hex"), Buffer.from(signature, "hex"));
}
