// Config `auth.profiles` against the stores: a declared mode that contradicts the stored
// credential type makes the profile unusable (resolveApiKeyForProfile returns null), and a
// declared profile without a stored credential is never used. `--fix` aligns the mode with the
// stored credential; the rest needs the user.
import type { AuthProfileCredential } from '@claw/auth-profiles'
import { formatConfigPath, normalizeProviderId } from '@claw/model-catalog'
import { safe } from '../text.js'
import { rawAuthProfiles } from './config-edit.js'
import type { DoctorCheck, DoctorState, Finding, Repair } from './types.js'

/** Whether a config mode accepts a stored credential type (mode `oauth` accepts a token). */
function modeAccepts(mode: string, type: AuthProfileCredential['type']): boolean {
  return mode === type || (mode === 'oauth' && type === 'token')
}

function findCredential(state: DoctorState, profileId: string): AuthProfileCredential | undefined {
  for (const agent of state.agents) {
    const credential = agent.store?.profiles[profileId]
    if (credential) return credential
  }
  return undefined
}

function alignMode(
  state: DoctorState,
  profileId: string,
  from: string,
  to: AuthProfileCredential['type'],
): Repair {
  const path = formatConfigPath(['auth', 'profiles', profileId, 'mode'])
  return {
    kind: 'safe',
    async apply() {
      let changed = false
      await state.context.updateConfig((raw) => {
        const entry = rawAuthProfiles(raw)?.[profileId]
        if (typeof entry !== 'object' || entry === null) return
        const record = entry as Record<string, unknown>
        if (record['mode'] !== from) return
        record['mode'] = to
        changed = true
      })
      return changed ? [`Set ${path} to "${to}" (was "${from}") in ${state.configPath}`] : []
    },
  }
}

export const configProfilesCheck: DoctorCheck = {
  area: 'config-profiles',
  title: 'Config profiles',
  okMessage: 'Config auth.profiles match the stored credentials.',
  run(state) {
    const findings: Finding[] = []
    const profiles = state.config?.auth?.profiles ?? {}
    // A store that failed to load could hold any of them: do not guess.
    const storesComplete = state.agents.every((agent) => agent.store !== undefined)
    for (const [profileId, entry] of Object.entries(profiles)) {
      if (entry.mode === 'aws-sdk') continue
      const id = safe(profileId)
      const credential = findCredential(state, profileId)
      if (!credential) {
        if (!storesComplete) continue
        findings.push({
          id: 'config.profile_missing',
          severity: 'warning',
          message: `${formatConfigPath(['auth', 'profiles', id])} is configured, but no credential store has that profile.`,
          profileId,
          file: state.configPath,
          fix: `Add it (\`claw models auth login --provider ${safe(entry.provider)}\` or \`claw models auth paste-api-key --provider ${safe(entry.provider)} --profile-id ${id}\`) or remove it from the config.`,
        })
        continue
      }
      if (normalizeProviderId(entry.provider) !== normalizeProviderId(credential.provider)) {
        findings.push({
          id: 'config.provider_mismatch',
          severity: 'warning',
          message: `${formatConfigPath(['auth', 'profiles', id])} says provider ${safe(entry.provider)}, but the stored credential is for ${safe(credential.provider)}; the profile cannot be used.`,
          profileId,
          file: state.configPath,
          fix: `Set ${formatConfigPath(['auth', 'profiles', id, 'provider'])} to "${safe(credential.provider)}" (or store the right credential).`,
        })
      }
      if (!modeAccepts(entry.mode, credential.type)) {
        findings.push({
          id: 'config.mode_mismatch',
          severity: 'warning',
          message: `${formatConfigPath(['auth', 'profiles', id, 'mode'])} is "${entry.mode}", but the stored credential is ${credential.type}; the profile cannot be used.`,
          profileId,
          file: state.configPath,
          fix: `claw doctor --fix sets the mode to "${credential.type}".`,
          repair: alignMode(state, profileId, entry.mode, credential.type),
        })
      }
    }
    return findings
  },
}
