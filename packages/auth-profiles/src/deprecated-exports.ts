// Functions that moved from the package root to `@claw/auth-profiles/oauth`, `/secret-refs` and
// `/external-cli`. The root keeps each async one for one minor version as a wrapper that loads the
// subpath's module on first call, so importing the root loads none of that machinery.
import type * as ExternalCli from './credentials/external-cli/index.js'
import type * as SecretRefs from './credentials/secret-refs/index.js'
import type * as AuthorizationCode from './oauth/authorization-code.js'
import type * as CopilotToken from './oauth/copilot-token.js'
import type * as Device from './oauth/device.js'
import type * as GoogleGeminiCli from './oauth/adapters/google-gemini-cli.js'
import type * as Login from './oauth/login.js'
import type * as Loopback from './oauth/loopback.js'
import type * as OpenId from './oauth/openid.js'
import type * as RedirectPaste from './oauth/redirect-paste.js'
import type * as Refresh from './oauth/refresh.js'

type AsyncFunction = (...args: never[]) => Promise<unknown>

/** `module[name]`, a function that loads `module` when first called. */
function onFirstCall<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  const call = async (...args: unknown[]): Promise<unknown> => {
    const loaded = (await load())[name] as unknown as (...args: unknown[]) => Promise<unknown>
    return loaded(...args)
  }
  return call as M[K] & AsyncFunction
}

/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const refreshOAuthCredential: typeof Refresh.refreshOAuthCredential = onFirstCall(
  () => import('./oauth/refresh.js'),
  'refreshOAuthCredential',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const refreshWithTokenEndpoint: typeof OpenId.refreshWithTokenEndpoint = onFirstCall(
  () => import('./oauth/openid.js'),
  'refreshWithTokenEndpoint',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const runAuthorizationCodeFlow: typeof AuthorizationCode.runAuthorizationCodeFlow =
  onFirstCall(() => import('./oauth/authorization-code.js'), 'runAuthorizationCodeFlow')
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const runDeviceFlow: typeof Device.runDeviceFlow = onFirstCall(
  () => import('./oauth/device.js'),
  'runDeviceFlow',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const loginWithOAuth: typeof Login.loginWithOAuth = onFirstCall(
  () => import('./oauth/login.js'),
  'loginWithOAuth',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const logoutOAuthProfile: typeof Login.logoutOAuthProfile = onFirstCall(
  () => import('./oauth/login.js'),
  'logoutOAuthProfile',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const storeSetupToken: typeof Login.storeSetupToken = onFirstCall(
  () => import('./oauth/login.js'),
  'storeSetupToken',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const startLoopbackCallback: typeof Loopback.startLoopbackCallback = onFirstCall(
  () => import('./oauth/loopback.js'),
  'startLoopbackCallback',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const raceCallbackAndPaste: typeof RedirectPaste.raceCallbackAndPaste = onFirstCall(
  () => import('./oauth/redirect-paste.js'),
  'raceCallbackAndPaste',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const exchangeCopilotToken: typeof CopilotToken.exchangeCopilotToken = onFirstCall(
  () => import('./oauth/copilot-token.js'),
  'exchangeCopilotToken',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const resolveCopilotApiKey: typeof CopilotToken.resolveCopilotApiKey = onFirstCall(
  () => import('./oauth/copilot-token.js'),
  'resolveCopilotApiKey',
)
/** @deprecated Import from `@claw/auth-profiles/oauth`. @public */
export const discoverGeminiProject: typeof GoogleGeminiCli.discoverGeminiProject = onFirstCall(
  () => import('./oauth/adapters/google-gemini-cli.js'),
  'discoverGeminiProject',
)
/** @deprecated Import from `@claw/auth-profiles/secret-refs`. @public */
export const resolveSecretRef: typeof SecretRefs.resolveSecretRef = onFirstCall(
  () => import('./credentials/secret-refs/index.js'),
  'resolveSecretRef',
)
/** @deprecated Import from `@claw/auth-profiles/secret-refs`. @public */
export const resolveSecretRefs: typeof SecretRefs.resolveSecretRefs = onFirstCall(
  () => import('./credentials/secret-refs/index.js'),
  'resolveSecretRefs',
)
/** @deprecated Import from `@claw/auth-profiles/secret-refs`. @public */
export const checkSecretExecCommand: typeof SecretRefs.checkSecretExecCommand = onFirstCall(
  () => import('./credentials/secret-refs/index.js'),
  'checkSecretExecCommand',
)
/** @deprecated Import from `@claw/auth-profiles/external-cli`. @public */
export const readExternalCredentials: typeof ExternalCli.readExternalCredentials = onFirstCall(
  () => import('./credentials/external-cli/index.js'),
  'readExternalCredentials',
)
/** @deprecated Import from `@claw/auth-profiles/external-cli`. @public */
export const importExternalCredentials: typeof ExternalCli.importExternalCredentials = onFirstCall(
  () => import('./credentials/external-cli/index.js'),
  'importExternalCredentials',
)
