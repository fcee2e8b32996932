// The shapes of the names and ids oom-doctor accepts from outside (commands, config, job data, button
// values, ownerReferences). Each is checked here and nowhere else, so a name is valid in one place
// exactly when it is valid in all of them. Pure.

// A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric.
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_1123_LABEL = new RegExp(`^(?=.{1,63}$)${LABEL}$`);
// A DNS-1123 subdomain: labels joined by dots, at most 253 characters.
const DNS_1123_SUBDOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`);

/** A namespace name: a DNS-1123 label. */
export const isNamespaceName = (name: string): boolean => DNS_1123_LABEL.test(name);

/** A pod's or workload's name: a DNS-1123 subdomain. */
export const isObjectName = (name: string): boolean => DNS_1123_SUBDOMAIN.test(name);

/** A container's name within its pod: a DNS-1123 label. */
export const isContainerName = (name: string): boolean => DNS_1123_LABEL.test(name);

/**
 * An object's metadata.uid. The API server mints UUIDs, but it does not check the ones it is given, so
 * this takes any short run of letters, digits and `-` `.` `_` (never a `/`, which separates ids' parts).
 */
export const isObjectUid = (uid: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(uid);

/** Any Slack id (channel, user, team): upper-case alphanumerics. */
export const isSlackId = (id: string): boolean => /^[A-Z0-9]{2,}$/.test(id);

/** A Slack conversation id: C (public), G (private) or D (direct message). */
export const isSlackChannelId = (id: string): boolean => /^[CGD][A-Z0-9]{2,}$/.test(id);

/** Who may approve: a Slack user (U, W) or user group (S). */
export const isSlackUserOrGroupId = (id: string): boolean => /^[UWS][A-Z0-9]{2,}$/.test(id);

/** A random id of `bytes` bytes in lower-case hex, as the stores mint them. */
export const isHexId = (value: string, bytes: number): boolean =>
  value.length === bytes * 2 && /^[0-9a-f]+$/.test(value);

/**
 * A journald cursor as journalctl prints it (`s=<seqnum id>;i=<seqnum>;b=<boot id>;m=<monotonic>;
 * t=<realtime>;x=<hash>`): the node wrapper accepts this shape and no other.
 */
export const isJournalCursor = (value: string): boolean =>
  /^s=[0-9a-f]{32};i=[0-9a-f]{1,16};b=[0-9a-f]{32};m=[0-9a-f]{1,16};t=[0-9a-f]{1,16};x=[0-9a-f]{1,16}$/.test(
    value,
  );
