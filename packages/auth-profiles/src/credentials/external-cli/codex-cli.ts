// Codex CLI's auth.json.
import type { OAuthCredential } from '../../types.js'
import { finish, FieldReader, isRecord, type ParseContext, type Profiles } from './field-reader.js'

/** Codex stores no expiry: without a JWT `exp` the access token is assumed to live this long. */
const CODEX_ASSUMED_TTL_MS = 60 * 60 * 1000

type DecodeJwt = (token: string) => Record<string, unknown>
let decodeJwtFunction: DecodeJwt | undefined

/** jose's `decodeJwt`, loaded on first use (most applications never import Codex credentials). */
async function loadDecodeJwt(): Promise<DecodeJwt> {
  decodeJwtFunction ??= (await import('jose')).decodeJwt
  return decodeJwtFunction
}

/** The JWT payload of a token, or `undefined` when it is not a decodable JWT. */
function jwtPayload(decode: DecodeJwt, token: string): Record<string, unknown> | undefined {
  try {
    return decode(token)
  } catch {
    return undefined
  }
}

/**
 * `{ tokens: { access_token, refresh_token, account_id? }, last_refresh? }` →
 * `openai-codex:codex-cli`. Expiry: the access token's JWT `exp`, else `last_refresh + 1h`, else
 * the file's mtime + 1h.
 */
export async function parseCodex(raw: unknown, context: ParseContext): Promise<Profiles> {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const lastRefresh = reader.timestamp(root, 'last_refresh', [])
  const tokens = reader.object(root, 'tokens', [])
  if (!tokens) return finish(reader, context, {})
  const access = reader.string(tokens, 'access_token', ['tokens'], true)
  const refresh = reader.string(tokens, 'refresh_token', ['tokens'], true)
  const accountField = reader.string(tokens, 'account_id', ['tokens'], false)
  if (access === undefined || refresh === undefined || reader.issues.length > 0) {
    return finish(reader, context, {})
  }
  const payload = jwtPayload(await loadDecodeJwt(), access)
  const exp = payload?.['exp']
  const mtimeMs = Number(context.stats.mtimeNs / 1_000_000n)
  const expires =
    typeof exp === 'number' && Number.isFinite(exp) && exp > 0
      ? exp * 1000
      : (lastRefresh ?? mtimeMs) + CODEX_ASSUMED_TTL_MS
  const authClaim = payload?.['https://api.openai.com/auth']
  const claimAccount = isRecord(authClaim) ? authClaim['chatgpt_account_id'] : undefined
  const accountId =
    accountField ??
    (typeof claimAccount === 'string' && claimAccount.trim() !== '' ? claimAccount : undefined)
  const credential: OAuthCredential = {
    type: 'oauth',
    provider: 'openai-codex',
    access,
    refresh,
    expires,
    ...(accountId === undefined ? {} : { accountId }),
  }
  return { 'openai-codex:codex-cli': credential }
}
