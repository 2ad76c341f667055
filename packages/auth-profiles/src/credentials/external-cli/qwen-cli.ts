// Qwen Code's oauth_creds.json.
import { finish, FieldReader, type ParseContext, type Profiles } from './field-reader.js'

/** `{ access_token, refresh_token, expiry_date }` (all required) → `qwen-portal:qwen-cli`. */
export function parseQwen(raw: unknown, context: ParseContext): Profiles {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const access = reader.string(root, 'access_token', [], true)
  const refresh = reader.string(root, 'refresh_token', [], true)
  const expires = reader.epochMs(root, 'expiry_date', [])
  if (access === undefined || refresh === undefined || expires === undefined) {
    return finish(reader, context, {})
  }
  return finish(reader, context, {
    'qwen-portal:qwen-cli': { type: 'oauth', provider: 'qwen-portal', access, refresh, expires },
  })
}
