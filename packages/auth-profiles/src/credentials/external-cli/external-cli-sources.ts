// The importable sources, as data.
import { AuthProfilesError } from '../../errors.js'
import { describeId } from '../../ids.js'
import type { ExternalCliSource } from './types.js'

/**
 * The importable sources. Frozen data; the order is the recommended display order.
 *
 * @public
 */
export const EXTERNAL_CLI_SOURCES: readonly ExternalCliSource[] = Object.freeze(
  (
    [
      {
        id: 'claude-cli',
        label: 'Claude Code',
        defaultPath: '$CLAUDE_CONFIG_DIR/.credentials.json, else ~/.claude/.credentials.json',
        profileId: 'anthropic:claude-cli',
        provider: 'anthropic',
        credentialType: 'oauth (with a refresh token) or token',
      },
      {
        id: 'codex-cli',
        label: 'Codex CLI',
        defaultPath: '$CODEX_HOME/auth.json, else ~/.codex/auth.json',
        profileId: 'openai-codex:codex-cli',
        provider: 'openai-codex',
        credentialType: 'oauth',
      },
      {
        id: 'qwen-cli',
        label: 'Qwen Code',
        defaultPath: '~/.qwen/oauth_creds.json',
        profileId: 'qwen-portal:qwen-cli',
        provider: 'qwen-portal',
        credentialType: 'oauth',
      },
      {
        id: 'copilot',
        label: 'GitHub Copilot',
        defaultPath:
          '~/.copilot/credentials.json, else $COPILOT_GITHUB_TOKEN, $GH_TOKEN or $GITHUB_TOKEN',
        profileId: 'github-copilot:github',
        provider: 'github-copilot',
        credentialType: 'token',
      },
      {
        id: 'clawdbot',
        label: 'Clawdbot/OpenClaw',
        defaultPath:
          '$OPENCLAW_STATE_DIR, $MOLTBOT_STATE_DIR or $CLAWDBOT_STATE_DIR, else the first existing of ~/.clawdbot, ~/.moltbot, ~/.openclaw',
        profileId: null,
        provider: null,
        credentialType: 'any (each profile keeps its id)',
      },
    ] satisfies ExternalCliSource[]
  ).map((source): ExternalCliSource => Object.freeze({ ...source })),
)

export function sourceInfo(source: unknown): ExternalCliSource {
  const found = EXTERNAL_CLI_SOURCES.find((entry) => entry.id === source)
  if (!found) {
    throw new AuthProfilesError(
      'ERR_INVALID_ARGUMENT',
      `Unknown external credential source ${describeId(source)}; expected one of ${EXTERNAL_CLI_SOURCES.map((entry) => entry.id).join(', ')}.`,
    )
  }
  return found
}
