import type { Clock, Env } from '../runtime.js'
import type { OAuthCredential } from '../types.js'
import type { FetchFunction } from './http.js'

/**
 * Where a provider's OAuth endpoints are. Kept as data so they can be overridden (providers move
 * their token hosts; tests point them at a local server).
 *
 * @public
 */
export interface OAuthEndpoints {
  /** OIDC issuer for discovery (`/.well-known/openid-configuration`); when set, discovery fills the rest. */
  readonly issuer?: string
  readonly authorizationEndpoint?: string
  readonly tokenEndpoint?: string
  readonly deviceAuthorizationEndpoint?: string
  readonly revocationEndpoint?: string
  readonly userinfoEndpoint?: string
}

/** Everything an adapter's network code gets. @public */
export interface OAuthRuntime {
  /** Bounded fetch: timeout, response size cap, caller's abort signal already applied. */
  readonly fetch: FetchFunction
  readonly now: Clock
  readonly env: Env
  readonly signal?: AbortSignal | undefined
  /** Allow plain-http endpoints (loopback test servers only). */
  readonly allowInsecureRequests: boolean
}

/** Information for showing a browser login. @public */
export interface AuthUrlInfo {
  readonly url: string
  /** The registered redirect URI (the loopback callback). */
  readonly redirectUri: string
  /** Whether a loopback server is waiting for the callback (false: paste the redirect URL). */
  readonly listening: boolean
  readonly instructions: string
}

/** Information for showing a device-code login. @public */
export interface DeviceCodeInfo {
  readonly verificationUri: string
  readonly verificationUriComplete?: string
  readonly userCode: string
  /** Epoch ms when the code expires. */
  readonly expiresAt: number
}

/** How a login talks to the person logging in. @public */
export interface OAuthLoginCallbacks {
  /** Show (or open) the authorization URL. */
  readonly onAuthUrl?: (info: AuthUrlInfo) => void | Promise<void>
  /** Show the device code and where to enter it. */
  readonly onDeviceCode?: (info: DeviceCodeInfo) => void | Promise<void>
  /**
   * Ask for the redirect URL (or `code#state`, `code=…&state=…`, or a bare code) when the
   * browser cannot reach the loopback callback. Raced against the callback; return a never-settling
   * promise (or omit it) to rely on the callback alone.
   */
  readonly promptForRedirect?: (info: {
    readonly message: string
    /** Aborted when the browser callback wins the race: close the prompt. */
    readonly signal?: AbortSignal
  }) => Promise<string>
  /** Progress lines (never contain secrets). */
  readonly onProgress?: (message: string) => void
}

/** The credential fields an adapter produces at login or refresh (stored as an `oauth` profile). @public */
export interface OAuthTokenSet {
  readonly access: string
  /** Absent when the provider did not rotate it: the previous refresh token is kept. */
  readonly refresh?: string
  /** Epoch ms; issue time + `expires_in` (the refresh-ahead skew is applied when deciding, not here). */
  readonly expires: number
  readonly email?: string
  readonly accountId?: string
  readonly projectId?: string
  readonly enterpriseUrl?: string
  readonly clientId?: string
}

/** @public */
export interface OAuthLoginOptions extends OAuthLoginCallbacks {
  readonly runtime: OAuthRuntime
  /**
   * Overall time allowed for the person to finish. Browser logins default to 5 minutes; device
   * flows default to the device code's own lifetime (`expires_in`).
   */
  readonly timeoutMs?: number
}

/**
 * A provider's OAuth implementation. Built-in adapters are created by factories that accept
 * endpoint and client-id overrides; register your own (or an override) with `registerOAuthProvider`.
 *
 * @public
 */
export interface OAuthProviderAdapter {
  /** The provider id the stored profile gets (e.g. `openai-codex`). */
  readonly id: string
  readonly displayName: string
  readonly flow: 'authorization_code' | 'device_code' | 'setup_token'
  readonly endpoints: OAuthEndpoints
  readonly clientId: string
  readonly scopes: readonly string[]
  /** The registered loopback redirect URI, for authorization-code flows. */
  readonly redirectUri?: string
  /** Runs the interactive login and returns the tokens to store. */
  login(options: OAuthLoginOptions): Promise<OAuthTokenSet>
  /** Exchanges the refresh token; absent for providers whose credentials are never refreshed. */
  refresh?(credential: OAuthCredential, runtime: OAuthRuntime): Promise<OAuthTokenSet>
  /** Revokes the credential at the provider; resolves to whether it did. */
  revoke?(credential: OAuthCredential, runtime: OAuthRuntime): Promise<boolean>
}
