// The limits of file and exec secret providers, shared by the resolver and the config schema.

/** Default time limit for reading a secret file or running a secret command. @public */
export const DEFAULT_SECRET_TIMEOUT_MS = 5000

/** Default size limit for a secret file and for a secret command's stdout (1 MiB). @public */
export const DEFAULT_SECRET_MAX_BYTES = 1024 * 1024

/**
 * The largest `timeoutMs` a file or exec provider may set (10 minutes; a larger value would also
 * overflow the timer, which fires at once past 2^31 - 1 ms). @public
 */
export const MAX_SECRET_TIMEOUT_MS = 10 * 60 * 1000

/** The largest `maxBytes` / `maxOutputBytes` a file or exec provider may set (16 MiB). @public */
export const MAX_SECRET_MAX_BYTES = 16 * 1024 * 1024
