// Its own module so key resolution can decide whether a token needs refreshing without loading
// the refresh machinery.

/** Refresh this long before expiry by default. @public */
export const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000
