// A throwaway certificate authority and a server certificate for 127.0.0.1, made with openssl: the
// Kubernetes client refuses plain HTTP, so the fake API server speaks HTTPS with this CA in the kubeconfig.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Tls {
  ca: string;
  cert: string;
  key: string;
}

export function makeTls(dir: string): Tls {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=oom-doctor test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  );
  writeFileSync(
    file("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
    "-out",
    file("server.crt"),
  );
  return {
    ca: readFileSync(file("ca.crt"), "utf8"),
    cert: readFileSync(file("server.crt"), "utf8"),
    key: readFileSync(file("server.key"), "utf8"),
  };
}
