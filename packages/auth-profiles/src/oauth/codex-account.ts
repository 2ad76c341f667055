// The ChatGPT account id an OpenAI Codex request carries, read from the access token. The package
// root re-exports it (request code sets the header), so it lives apart from the Codex login.

/** The access-token claim holding the ChatGPT account. @public */
export const OPENAI_CODEX_AUTH_CLAIM = 'https://api.openai.com/auth'

/**
 * The ChatGPT account id in a Codex access token: claim `https://api.openai.com/auth` →
 * `chatgpt_account_id`. The JWT payload is decoded (base64url, no signature check) with
 * `jose.decodeJwt`; a token that is not a JWT or lacks the claim gives `undefined`.
 *
 * @public
 */
export async function codexAccountIdFromAccessToken(
  accessToken: string,
): Promise<string | undefined> {
  const { decodeJwt } = await import('jose')
  let payload: Record<string, unknown>
  try {
    payload = decodeJwt(accessToken)
  } catch {
    return undefined
  }
  const auth = payload[OPENAI_CODEX_AUTH_CLAIM]
  if (typeof auth !== 'object' || auth === null) return undefined
  const accountId = (auth as Record<string, unknown>)['chatgpt_account_id']
  return typeof accountId === 'string' && accountId !== '' ? accountId : undefined
}
