// Which channel may see which namespaces: `slack.channels` maps channel ids to namespace lists. A
// channel it does not list falls under the "*" entry if there is one, and is refused otherwise, so a
// map left empty opens nothing. Pure.

export type ChannelMap = Record<string, string[]>;

/** The namespaces the channel may see ("*" for any); null when the map does not cover it at all. */
export function channelNamespaces(channels: ChannelMap, channel: string): string[] | null {
  return channels[channel] ?? channels["*"] ?? null;
}

export function namespaceAllowed(
  channels: ChannelMap,
  channel: string,
  namespace: string,
): { allowed: boolean; list: string[] } {
  const list = channelNamespaces(channels, channel) ?? [];
  return { allowed: list.includes("*") || list.includes(namespace), list };
}

/** A digest's scope: one namespace, or "all" for a channel that may see any. */
export function scopeAllowed(channels: ChannelMap, channel: string, scope: string): boolean {
  return scope === "all"
    ? (channelNamespaces(channels, channel) ?? []).includes("*")
    : namespaceAllowed(channels, channel, scope).allowed;
}

/** What start-up should warn about in the map. */
export function channelMapWarnings(channels: ChannelMap): string[] {
  return Object.keys(channels).length === 0
    ? [
        'slack.channels is empty: every channel is refused. List channel ids with the namespaces each may investigate (or "*": ["*"] to open every channel to every namespace).',
      ]
    : [];
}
