// What memory history needs from the outside world: a server of the Prometheus HTTP API. The adapter
// (src/metrics/prometheus.ts) implements it; tests may too.

import type { Result } from "../errors.js";
import type { Series } from "./model.js";

export interface RangeQuery {
  query: string;
  startMs: number;
  endMs: number;
  stepSeconds: number;
}

export interface MetricsSource {
  /** A range query (`/api/v1/query_range`); errors as values: `metrics-unreachable`, `metrics-refused`, `metrics-error`, `timeout` */
  range(query: RangeQuery): Promise<Result<Series[]>>;
}
