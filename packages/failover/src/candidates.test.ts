import { type ClawConfig } from '@claw/auth-profiles'
import { describe, expect, it } from 'vitest'
import { config } from '../test/helpers/run-setup.js'
import { buildFallbackCandidates } from './candidates.js'

describe('buildFallbackCandidates', () => {
  it('puts the requested model first, then fallbacks, then the primary', () => {
    expect(
      buildFallbackCandidates({ config, provider: 'openai', model: 'gpt-5-mini' }).map(
        (c) => c.key,
      ),
    ).toEqual(['openai/gpt-5-mini', 'openai/gpt-5.2', 'anthropic/claude-opus-4-5'])
  })

  it('defaults to the primary, dedupes, and lets an override (even []) replace fallbacks', () => {
    expect(buildFallbackCandidates({ config }).map((c) => c.key)).toEqual([
      'anthropic/claude-opus-4-5',
      'openai/gpt-5.2',
    ])
    expect(buildFallbackCandidates({ config, fallbacksOverride: [] }).map((c) => c.key)).toEqual([
      'anthropic/claude-opus-4-5',
    ])
    expect(
      buildFallbackCandidates({
        config,
        model: 'openai/gpt-5.2',
        fallbacksOverride: ['anthropic/claude-haiku-4-5'],
      }).map((c) => c.key),
    ).toEqual(['openai/gpt-5.2', 'anthropic/claude-haiku-4-5'])
  })

  it('enforces the allowlist for fallbacks only, resolving aliases', () => {
    const allowlisted: ClawConfig = {
      agents: {
        defaults: {
          model: {
            primary: 'anthropic/claude-opus-4-5',
            fallbacks: ['gpt', 'openai/gpt-4.1-mini', 'nope/'],
          },
          models: { 'anthropic/claude-opus-4-5': {}, 'openai/gpt-5.2': { alias: 'gpt' } },
        },
      },
    }
    expect(
      buildFallbackCandidates({ config: allowlisted, model: 'openai/gpt-4.1-mini' }).map(
        (c) => c.key,
      ),
    ).toEqual(['openai/gpt-4.1-mini', 'openai/gpt-5.2', 'anthropic/claude-opus-4-5'])
  })
})
