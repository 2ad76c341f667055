import type { ClawConfig } from '@claw/auth-profiles'
import { apiKeyCredential, buildAuthProfileStore } from '@claw/auth-profiles/testing'
import { buildModelAliasIndex } from '@claw/model-catalog'
import { describe, expect, it } from 'vitest'
import { resolveModelSelection, type ResolveModelSelectionOptions } from './selection.js'

const config: ClawConfig = {
  agents: {
    defaults: {
      model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['openai/gpt-5.2'] },
      models: {
        'anthropic/claude-opus-4-5': { alias: 'opus' },
        'anthropic/claude-sonnet-4-5': { alias: 'sonnet' },
        'openai/gpt-5.2': { alias: 'gpt' },
        'openai/gpt-5-mini': {},
        'zai/glm-4.7': { alias: 'glm' },
      },
    },
  },
}

const catalog = [
  { provider: 'anthropic', id: 'claude-opus-4-5' },
  { provider: 'anthropic', id: 'claude-sonnet-4-5' },
  { provider: 'openai', id: 'gpt-5.2' },
  { provider: 'openai', id: 'gpt-5-mini' },
  { provider: 'openai', id: 'gpt-4.1-mini' },
  { provider: 'zai', id: 'glm-4.7' },
]

const store = buildAuthProfileStore({
  profiles: {
    'anthropic:me@example.com': apiKeyCredential('anthropic'),
    'anthropic:work': apiKeyCredential('anthropic'),
    'openai:main': apiKeyCredential('openai'),
    'zai:default': apiKeyCredential('Z.AI'),
  },
})

const select = (raw: string, extra: Partial<ResolveModelSelectionOptions> = {}) =>
  resolveModelSelection({ raw, config, store, catalog, ...extra })

describe('resolveModelSelection', () => {
  it('rejects blank input as an empty model', () => {
    for (const raw of ['', '   ', '@', ' @ ']) {
      expect(select(raw)).toEqual({ ok: false, error: 'invalid model: empty' })
    }
  })

  it('requires a model when only a profile is given', () => {
    expect(select('@anthropic:work')).toEqual({
      ok: false,
      error: 'Auth profile override requires a model selection.',
    })
  })

  it('rejects a model that does not parse, echoing the model part', () => {
    expect(select('anthropic/')).toEqual({ ok: false, error: 'invalid model: anthropic/' })
    expect(select('/@anthropic:work')).toEqual({ ok: false, error: 'invalid model: /' })
    expect(select('bad\u001bmodel')).toEqual({ ok: false, error: 'invalid model: bad\\u001bmodel' })
  })

  it('resolves an alias (case-insensitively) and flags the default model', () => {
    expect(select('OPUS')).toEqual({
      ok: true,
      ref: { provider: 'anthropic', model: 'claude-opus-4-5' },
      key: 'anthropic/claude-opus-4-5',
      alias: 'opus',
      isDefault: true,
    })
    expect(select('gpt')).toMatchObject({ ok: true, key: 'openai/gpt-5.2', isDefault: false })
  })

  it('resolves full refs and bare ids against the default provider', () => {
    expect(select('openai/gpt-5-mini')).toEqual({
      ok: true,
      ref: { provider: 'openai', model: 'gpt-5-mini' },
      key: 'openai/gpt-5-mini',
      isDefault: false,
    })
    expect(select('claude-sonnet-4-5')).toMatchObject({
      ok: true,
      key: 'anthropic/claude-sonnet-4-5',
    })
    expect(select('gpt-5-mini', { defaultProvider: 'openai' })).toMatchObject({
      ok: true,
      key: 'openai/gpt-5-mini',
    })
  })

  it('splits at the first @ so email profile ids survive', () => {
    expect(select('sonnet@anthropic:me@example.com')).toEqual({
      ok: true,
      ref: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      key: 'anthropic/claude-sonnet-4-5',
      alias: 'sonnet',
      profileId: 'anthropic:me@example.com',
      isDefault: false,
    })
  })

  it('reports an unknown profile, also when there is no store', () => {
    expect(select('opus@anthropic:nobody')).toEqual({
      ok: false,
      error: 'Auth profile "anthropic:nobody" not found.',
    })
    expect(select('opus@anthropic:work', { store: undefined })).toEqual({
      ok: false,
      error: 'Auth profile "anthropic:work" not found.',
    })
  })

  it('reports a profile of another provider', () => {
    expect(select('gpt@anthropic:work')).toEqual({
      ok: false,
      error: 'Auth profile "anthropic:work" is for anthropic, not openai.',
    })
    expect(select('opus@zai:default')).toEqual({
      ok: false,
      error: 'Auth profile "zai:default" is for zai, not anthropic.',
    })
  })

  it('compares the profile provider after normalisation (z.ai ≡ zai)', () => {
    for (const raw of ['glm@zai:default', 'z.ai/glm-4.7@zai:default', 'Z-AI/glm-4.7@zai:default']) {
      expect(select(raw)).toMatchObject({
        ok: true,
        key: 'zai/glm-4.7',
        profileId: 'zai:default',
      })
    }
  })

  it('rejects a model outside the allowlist with the chat message', () => {
    expect(select('mistral/mistral-large-2')).toEqual({
      ok: false,
      error: 'Model "mistral/mistral-large-2" is not allowed. Use /model to list available models.',
    })
    // In the catalog, but not allowlisted and too far from every allowed key.
    expect(select('openai/o3')).toEqual({
      ok: false,
      error: 'Model "openai/o3" is not allowed. Use /model to list available models.',
    })
  })

  it('corrects a typo to the closest allowed model', () => {
    expect(select('anthropic/claud-opus-4-5')).toEqual({
      ok: true,
      ref: { provider: 'anthropic', model: 'claude-opus-4-5' },
      key: 'anthropic/claude-opus-4-5',
      isDefault: true,
      corrected: true,
      requestedKey: 'anthropic/claud-opus-4-5',
    })
    expect(select('anthropic/claude-sonet-4-5@anthropic:work')).toMatchObject({
      ok: true,
      key: 'anthropic/claude-sonnet-4-5',
      profileId: 'anthropic:work',
      isDefault: false,
      corrected: true,
    })
    // The profile is checked against the corrected model.
    expect(select('openai/gpt-5-minii@anthropic:work')).toEqual({
      ok: false,
      error: 'Auth profile "anthropic:work" is for anthropic, not openai.',
    })
  })

  it('does not correct beyond three edits, nor when auto-correction is off', () => {
    expect(select('anthropic/cld-ops-4-5')).toMatchObject({ ok: false })
    expect(select('anthropic/claud-opus-4-5', { autoCorrect: false })).toEqual({
      ok: false,
      error:
        'Model "anthropic/claud-opus-4-5" is not allowed. Use /model to list available models.',
    })
  })

  it('with an empty allowlist allows any model, correcting only near-misses of catalog models', () => {
    const options = { config: {}, catalog }
    expect(select('openai/gpt-4.1-mini', options)).toMatchObject({
      ok: true,
      key: 'openai/gpt-4.1-mini',
    })
    expect(select('openai/gpt-4.1-mnii', options)).toMatchObject({
      ok: true,
      key: 'openai/gpt-4.1-mini',
      corrected: true,
    })
    expect(select('acme/brand-new-model', options)).toEqual({
      ok: true,
      ref: { provider: 'acme', model: 'brand-new-model' },
      key: 'acme/brand-new-model',
      isDefault: false,
    })
    // The compiled-in default applies when nothing is configured.
    expect(select('claude-opus-4-5', options)).toMatchObject({ ok: true, isDefault: true })
  })

  it('without a catalog allows the allowlist keys only (an empty allowlist allows anything)', () => {
    const withAcme: ClawConfig = {
      agents: { defaults: { models: { ...config.agents?.defaults?.models, 'acme/foo-1': {} } } },
    }
    expect(select('acme/foo-1', { config: withAcme, catalog: undefined })).toMatchObject({
      ok: true,
      key: 'acme/foo-1',
    })
    // With a catalog, an allowlist entry must be in it (or have a configured provider).
    expect(select('acme/foo-1', { config: withAcme })).toMatchObject({ ok: false })
    expect(select('openai/gpt-4.1-nano', { catalog: undefined })).toMatchObject({ ok: false })
    expect(select('anthropic/claud-opus-4-5', { catalog: undefined })).toMatchObject({
      ok: true,
      key: 'anthropic/claude-opus-4-5',
      corrected: true,
    })
    expect(resolveModelSelection({ raw: 'anthropic/claud-opus-4-5', store })).toMatchObject({
      ok: true,
      key: 'anthropic/claud-opus-4-5',
      isDefault: false,
    })
  })

  it('uses a prebuilt alias index when given', () => {
    const aliasIndex = buildModelAliasIndex({
      defaultProvider: 'anthropic',
      config: { agents: { defaults: { models: { 'openai/gpt-5-mini': { alias: 'mini' } } } } },
    })
    expect(select('mini@openai:main', { aliasIndex })).toMatchObject({
      ok: true,
      key: 'openai/gpt-5-mini',
      alias: 'mini',
      profileId: 'openai:main',
    })
  })
})
