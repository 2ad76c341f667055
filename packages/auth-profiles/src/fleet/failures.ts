// How fleet mode tells an outage from a bug: which failures of a Redis call open the circuit
// (local state until Redis answers again) and which are rethrown, and the short, secret-free
// reason a warning or `claw doctor` shows for them.

/** True when Redis answered with an error (a reply, not a transport failure). */
function isErrorReply(error: unknown): boolean {
  for (let proto: unknown = error; proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name
    if (name === 'ErrorReply') return true
    if (proto === Error.prototype) break
  }
  return false
}

/**
 * Why Redis refused this client, when it did: `authentication failed (NOAUTH)` (no password
 * sent, or Redis closed the connection with "Protocol error: unauthenticated …"),
 * `authentication failed (WRONGPASS)`, `authentication failed (AUTH)` (a password sent to a Redis
 * that has none) or `not permitted (NOPERM)` (an ACL user without the commands claw runs). Only
 * the reply's leading code is kept: the rest of a reply is never repeated.
 */
export function authFailure(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message
  if (typeof message !== 'string') return undefined
  const code = /^(NOAUTH|WRONGPASS|NOPERM)\b/.exec(message)?.[1]
  if (code === 'NOPERM') return 'not permitted (NOPERM)'
  if (code !== undefined) return `authentication failed (${code})`
  if (/^ERR Protocol error: unauthenticated\b/.test(message))
    return 'authentication failed (NOAUTH)'
  if (/^ERR AUTH\b.*\bwithout any password configured\b/.test(message))
    return 'authentication failed (AUTH)'
  return undefined
}

/**
 * The code of a reply that says Redis cannot serve the call right now, though it answered: a
 * cluster missing a master (`CLUSTERDOWN`), a slot being moved (`TRYAGAIN`), a replica cut off
 * from its master (`MASTERDOWN`), a node loading its data after a restart (`LOADING`), a node
 * that was demoted to replica (`READONLY`), a node blocked by a long script (`BUSY`).
 */
function unavailableReply(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message
  if (typeof message !== 'string') return undefined
  return /^(CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING|READONLY|BUSY)\b/.exec(message)?.[1]
}

/**
 * Whether a failed Redis call means Redis is unavailable (open the circuit, use local state):
 * transport failures, refused logins and the replies of {@link unavailableReply}. Any other reply
 * (a script error, WRONGTYPE, CROSSSLOT) is a bug or a data problem and is rethrown.
 */
export function isOutage(error: unknown): boolean {
  return (
    !isErrorReply(error) ||
    authFailure(error) !== undefined ||
    unavailableReply(error) !== undefined
  )
}

/**
 * A short, secret-free reason for a failure: an authentication failure, an unavailable reply's
 * code, an errno code or the error class.
 */
export function describeFailure(error: unknown): string {
  const auth = authFailure(error)
  if (auth !== undefined) return auth
  const reply = unavailableReply(error)
  if (reply !== undefined) return reply
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code
  const name = (error as { constructor?: { name?: string } } | undefined)?.constructor?.name
  return typeof name === 'string' && /^\w+$/.test(name) ? name : 'error'
}
