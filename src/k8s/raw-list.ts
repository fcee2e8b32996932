// A collection of every namespace listed page by page as the API server's own JSON, authenticated as
// the client's calls are. Not the client's models: they rewrite every timestamp, and a listed pod must
// have the very shape of a watched one, so that a kill read from either carries the same `finishedAt`.

import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

const REQUEST_TIMEOUT_MS = 60_000;

export interface RawList {
  items: unknown[];
  /** Where a watch of the collection starts so as to miss nothing after the list. */
  resourceVersion: string;
}

interface ListPage {
  items?: unknown[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Fails with an error whose `code` is the HTTP status, as the client's own calls do. */
async function getJson(config: KubeConfig, path: string, query: URLSearchParams): Promise<ListPage> {
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no current cluster");
  const url = new URL(`${server}${path}?${query}`);
  const options: RequestOptions = { method: "GET", headers: { accept: "application/json" } };
  await config.applyToHTTPSOptions(options);
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          reject(Object.assign(new Error(`the API server answered ${status}`), { code: status }));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ListPage);
        } catch (error) {
          reject(error);
        }
      });
    });
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error("the list timed out")));
    request.on("error", reject);
    request.end();
  });
}

/** Every object of the collection at `path` (e.g. /api/v1/pods), `pageSize` at a time. */
export async function listAll(
  config: KubeConfig,
  path: string,
  fieldSelector: string | null,
  pageSize: number,
): Promise<RawList> {
  const items: unknown[] = [];
  let token: string | undefined;
  let resourceVersion = "";
  do {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (fieldSelector) query.set("fieldSelector", fieldSelector);
    if (token) query.set("continue", token);
    const page = await getJson(config, path, query);
    items.push(...(page.items ?? []));
    resourceVersion = page.metadata?.resourceVersion ?? "";
    token = page.metadata?.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}
