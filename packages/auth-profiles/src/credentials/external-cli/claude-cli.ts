// Claude Code's credentials file.
import type { AuthProfileCredential } from '../../types.js'
import { finish, FieldReader, type ParseContext, type Profiles } from './field-reader.js'

/** `{ claudeAiOauth: { accessToken, refreshToken?, expiresAt } }` → `anthropic:claude-cli`. */
export function parseClaude(raw: unknown, context: ParseContext): Profiles {
  const reader = new FieldReader()
  const root = reader.root(raw)
  if (!root) return finish(reader, context, {})
  const oauth = reader.object(root, 'claudeAiOauth', [])
  if (!oauth) return finish(reader, context, {})
  const segments = ['claudeAiOauth']
  const access = reader.string(oauth, 'accessToken', segments, true)
  const refresh = reader.string(oauth, 'refreshToken', segments, false)
  const expires = reader.epochMs(oauth, 'expiresAt', segments)
  if (access === undefined || expires === undefined) return finish(reader, context, {})
  const credential: AuthProfileCredential =
    refresh === undefined
      ? { type: 'token', provider: 'anthropic', token: access, expires }
      : { type: 'oauth', provider: 'anthropic', access, refresh, expires }
  return finish(reader, context, { 'anthropic:claude-cli': credential })
}
