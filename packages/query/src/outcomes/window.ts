/** How long before a commit a session's edit of its files still links it, and how long after its end an unlinked session waits before it counts as abandoned. */
export const DEFAULT_LINK_WINDOW_MS = 7 * 86_400_000;
