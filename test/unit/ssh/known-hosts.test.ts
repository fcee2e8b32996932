import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { fingerprint, hostKeyAlgorithms, parseKnownHosts } from "../../../src/ssh/known-hosts.js";

const KEY_A = Buffer.from("host key A").toString("base64");
const KEY_B = Buffer.from("host key B").toString("base64");

function hashed(name: string): string {
  const salt = Buffer.from("0123456789abcdefghij");
  const hash = createHmac("sha1", salt).update(name).digest();
  return `|1|${salt.toString("base64")}|${hash.toString("base64")}`;
}

describe("known_hosts", () => {
  it("when a host is listed plainly, with a port, or hashed, then its key is found", () => {
    const known = parseKnownHosts(
      [
        `node-1,10.0.0.1 ssh-ed25519 ${KEY_A}`,
        `[10.0.0.2]:2222 ssh-ed25519 ${KEY_B}`,
        `${hashed("10.0.0.3")} ssh-ed25519 ${KEY_A}`,
        "# a comment",
        "",
      ].join("\n"),
    );
    assert.deepEqual(known.keysFor("10.0.0.1", 22), [Buffer.from("host key A")]);
    assert.deepEqual(known.keysFor("10.0.0.2", 2222), [Buffer.from("host key B")]);
    assert.deepEqual(known.keysFor("10.0.0.2", 22), [], "the port is part of the name");
    assert.deepEqual(known.keysFor("10.0.0.3", 22), [Buffer.from("host key A")]);
    assert.deepEqual(known.keysFor("10.0.0.9", 22), []);
  });

  it("when patterns use * ? and !, then they match as OpenSSH's do", () => {
    const known = parseKnownHosts(`10.0.1.*,!10.0.1.13 ssh-ed25519 ${KEY_A}\nnode-? ssh-ed25519 ${KEY_B}\n`);
    assert.equal(known.keysFor("10.0.1.7", 22).length, 1);
    assert.equal(known.keysFor("10.0.1.13", 22).length, 0, "negated");
    assert.equal(known.keysFor("node-7", 22).length, 1);
    assert.equal(known.keysFor("node-17", 22).length, 0);
  });

  it("when a key is marked @revoked, then it is never accepted", () => {
    const known = parseKnownHosts(`@revoked * ssh-ed25519 ${KEY_A}\nnode-1 ssh-ed25519 ${KEY_A}\n`);
    assert.equal(known.isRevoked(Buffer.from("host key A")), true);
    assert.equal(known.isRevoked(Buffer.from("host key B")), false);
  });

  it("when a host's keys are of some types, then only algorithms for those types are offered, RSA with SHA-2 only", () => {
    const known = parseKnownHosts(
      [
        `node-1 ssh-rsa ${KEY_A}`,
        `node-1 ssh-ed25519 ${KEY_B}`,
        `node-2 ecdsa-sha2-nistp256 ${KEY_A}`,
        `node-3 ssh-dss ${KEY_A}`,
        `@revoked node-2 ssh-ed25519 ${KEY_B}`,
      ].join("\n"),
    );
    assert.deepEqual(hostKeyAlgorithms(known.keyTypesFor("node-1", 22)), [
      "ssh-ed25519",
      "rsa-sha2-512",
      "rsa-sha2-256",
    ]);
    assert.deepEqual(hostKeyAlgorithms(known.keyTypesFor("node-2", 22)), ["ecdsa-sha2-nistp256"]);
    assert.deepEqual(hostKeyAlgorithms(known.keyTypesFor("node-3", 22)), [], "DSA is never offered");
  });

  it("when a fingerprint is shown, then it is OpenSSH's SHA256 form", () => {
    assert.match(fingerprint(Buffer.from("host key A")), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
