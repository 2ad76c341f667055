/**
 * The exit codes of `claw`, stable for scripts.
 *
 * - `0` success (for `models status --check`: every credential in use is fine);
 * - `1` an error, a prompt cancelled (Esc, Ctrl-C), or `models status --check` found an expired
 *   or missing credential;
 * - `2` `models status --check`: a credential expires within 24 h;
 * - `3` `models status --probe` or `models scan --probe`: a probe failed (a credential was refused, rate-limited, out of
 *   credit, timed out, or could not be resolved);
 * - `78` the config file or a credential store is unreadable or invalid, or a fleet's Redis has
 *   lost the credentials kept in it (`EX_CONFIG` of sysexits.h), so scripts can tell "fix the
 *   state" from "something failed".
 *
 * @public
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  expiring: 2,
  probeFailed: 3,
  invalidState: 78,
} as const

/** @public */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]
