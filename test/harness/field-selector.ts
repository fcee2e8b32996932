// Field selectors as the API server reads them: `field=value`, `field==value` and `field!=value`
// terms joined by commas, on the fields it indexes for each resource; any other field is refused.

type Json = Record<string, unknown>;

/** Field labels every resource supports, and those of pods and events, with where they are read. */
const COMMON: Record<string, string> = {
  "metadata.name": "metadata.name",
  "metadata.namespace": "metadata.namespace",
};
const BY_RESOURCE: Record<string, Record<string, string>> = {
  pods: {
    "spec.nodeName": "spec.nodeName",
    "spec.restartPolicy": "spec.restartPolicy",
    "spec.schedulerName": "spec.schedulerName",
    "spec.serviceAccountName": "spec.serviceAccountName",
    "status.phase": "status.phase",
    "status.podIP": "status.podIP",
  },
  events: {
    "involvedObject.kind": "involvedObject.kind",
    "involvedObject.namespace": "involvedObject.namespace",
    "involvedObject.name": "involvedObject.name",
    "involvedObject.uid": "involvedObject.uid",
    "involvedObject.apiVersion": "involvedObject.apiVersion",
    "involvedObject.fieldPath": "involvedObject.fieldPath",
    reason: "reason",
    reportingComponent: "reportingComponent",
    source: "source.component",
    type: "type",
  },
};

function read(object: Json, path: string): string {
  let current: unknown = object;
  for (const key of path.split(".")) current = (current as Json | undefined)?.[key];
  return current === undefined || current === null ? "" : String(current);
}

export type FieldMatch = (object: Json) => boolean;

/** A predicate for the selector, or the field label the resource does not support. */
export function fieldSelector(resource: string, text: string | null): FieldMatch | { unsupported: string } {
  if (!text) return () => true;
  const fields = { ...COMMON, ...(BY_RESOURCE[resource] ?? {}) };
  const terms: Array<{ path: string; value: string; equal: boolean }> = [];
  for (const term of text.split(",")) {
    const parsed = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    const path = parsed ? fields[parsed[1] ?? ""] : undefined;
    if (!parsed || path === undefined) return { unsupported: parsed?.[1] ?? term };
    terms.push({ path, value: parsed[3] ?? "", equal: parsed[2] !== "!=" });
  }
  return (object) => terms.every((term) => (read(object, term.path) === term.value) === term.equal);
}
