// Token health (OpenClaw's doctor step 4): expired, expiring and expiry-less OAuth credentials and
// tokens, from `buildAuthHealthSummary`, plus profiles marked `needs_reauth`. OAuth credentials can
// be refreshed now (`--fix` with `--yes` or a confirmation: it calls the provider); static tokens
// need a new one. Refreshes use the token endpoints configured in `auth.oauth.<provider>`.
import {
  buildAuthHealthSummary,
  type AuthProfileHealth,
  type OAuthRefreshSettings,
} from '@claw/auth-profiles'
import { refreshOAuthCredential } from '@claw/auth-profiles/oauth'
import { formatRemainingShort } from '../format-remaining.js'
import { oauthRefreshSettings } from '../auth/oauth-settings.js'
import { createTerminalProgress } from '../auth/spinner.js'
import { safe } from '../text.js'
import { agentSuffix } from './state.js'
import type { AgentState, DoctorCheck, DoctorState, Finding, Repair } from './types.js'

const PROMPT = 'Refresh expiring OAuth tokens now? (static tokens need re-auth)'

function loginHint(provider: string): string {
  return `claw models auth login --provider ${safe(provider)}`
}

function tokenHint(provider: string, profileId: string): string {
  return provider === 'anthropic'
    ? 'run `claude setup-token`, then `claw models auth setup-token`'
    : `run \`claw models auth paste-token --provider ${safe(provider)} --profile-id ${safe(profileId)}\``
}

/** The refresh settings of the run (`auth.oauth.<provider>` applied), built on first use. */
type OAuthSettings = () => OAuthRefreshSettings

function refresh(
  state: DoctorState,
  agent: AgentState,
  profileId: string,
  oauth: OAuthSettings,
): Repair {
  return {
    kind: 'confirm',
    prompt: PROMPT,
    async apply() {
      const { context } = state
      // Fleet mode: through the fleet backend, under the multi-host Redis refresh lock.
      const fleet = await context.fleet()
      const progress = createTerminalProgress(context.io)
      progress.update(`Refreshing the OAuth token of ${profileId}…`)
      const result = await refreshOAuthCredential({
        ...oauth(),
        ...(fleet ? { refreshLock: fleet.refreshLock } : {}),
        profileId,
        ...(fleet
          ? await context.storeTarget(agent.agentId)
          : { agentDir: agent.agentDir, mainAgentDir: null }),
        stateDir: state.stateDir,
        force: true,
        fetch: context.io.fetch,
        now: context.now,
        env: context.env,
        homeDir: context.io.homeDir,
      }).finally(() => progress.stop())
      if (result.stale) {
        throw new Error('the refresh failed; the current token stays in use until it expires')
      }
      const remaining = formatRemainingShort(result.credential.expires - context.now())
      return result.refreshed
        ? [
            `Refreshed the OAuth token of ${safe(profileId)}${agentSuffix(agent.agentId)} (expires in ${remaining})`,
          ]
        : []
    },
  }
}

function describe(profile: AuthProfileHealth): string {
  if (profile.status === 'expired') return 'expired'
  if (profile.status === 'missing') return 'no valid expiry'
  return `${profile.status} (${formatRemainingShort(profile.remainingMs)})`
}

function profileFinding(
  state: DoctorState,
  agent: AgentState,
  profile: AuthProfileHealth,
  oauth: OAuthSettings,
): Finding | undefined {
  const common = {
    agentId: agent.agentId,
    profileId: profile.profileId,
    file: agent.storePath,
  }
  const label = `${safe(profile.label)}${agentSuffix(agent.agentId)}`
  const credential = agent.store?.profiles[profile.profileId]
  if (profile.needsReauth || credential?.status === 'needs_reauth') {
    return {
      id: 'tokens.needs_reauth',
      severity: 'error',
      message: `${label}: needs re-auth (the provider rejected its refresh token).`,
      fix: `Re-auth via \`${loginHint(profile.provider)}\`.`,
      ...common,
    }
  }
  if (profile.type === 'oauth') {
    if (profile.status === 'ok' || profile.status === 'static') return undefined
    return {
      id:
        profile.status === 'expired'
          ? 'tokens.expired'
          : profile.status === 'expiring'
            ? 'tokens.expiring'
            : 'tokens.missing_expiry',
      severity: profile.status === 'expired' ? 'error' : 'warning',
      message: `${label}: ${describe(profile)}.`,
      fix: `claw doctor --fix --yes refreshes it; or re-auth via \`${loginHint(profile.provider)}\`.`,
      repair: refresh(state, agent, profile.profileId, oauth),
      ...common,
    }
  }
  if (profile.type === 'token' && (profile.status === 'expired' || profile.status === 'expiring')) {
    return {
      id: profile.status === 'expired' ? 'tokens.expired' : 'tokens.expiring',
      severity: profile.status === 'expired' ? 'error' : 'warning',
      message: `${label}: ${describe(profile)} — static tokens cannot be refreshed.`,
      fix: `Re-auth: ${tokenHint(profile.provider, profile.profileId)}.`,
      ...common,
    }
  }
  return undefined
}

export const tokensCheck: DoctorCheck = {
  area: 'tokens',
  title: 'OAuth and token expiry',
  okMessage: 'No expired or expiring OAuth credentials or tokens.',
  run(state) {
    const findings: Finding[] = []
    // An unusable `auth.oauth` entry fails the refresh repairs (reported per repair), not the check.
    let settings: OAuthRefreshSettings | undefined
    const oauth = (): OAuthRefreshSettings => (settings ??= oauthRefreshSettings(state.config))
    for (const agent of state.agents) {
      if (!agent.store) continue
      const summary = buildAuthHealthSummary({
        store: agent.store,
        config: state.config,
        now: () => state.now,
      })
      for (const profile of summary.profiles) {
        const finding = profileFinding(state, agent, profile, oauth)
        if (finding) findings.push(finding)
      }
    }
    return findings
  },
}
