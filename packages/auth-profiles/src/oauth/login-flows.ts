// The browser (authorization code + loopback callback) and device login flows, loaded when a
// login runs. Adapters are created at startup by processes that never log in
// (`createOAuthProvidersFromConfig` for a host's refresh settings), so they reach the flows here.
import type * as AuthorizationCode from './authorization-code.js'
import type * as Device from './device.js'

type AuthorizationCodeFlow = typeof AuthorizationCode.runAuthorizationCodeFlow
type DeviceFlow = typeof Device.runDeviceFlow

/** {@link AuthorizationCode.runAuthorizationCodeFlow}, loaded on first use. */
export async function runAuthorizationCodeFlow(
  options: Parameters<AuthorizationCodeFlow>[0],
): ReturnType<AuthorizationCodeFlow> {
  const flow = await import('./authorization-code.js')
  return flow.runAuthorizationCodeFlow(options)
}

/** {@link Device.runDeviceFlow}, loaded on first use. */
export async function runDeviceFlow(options: Parameters<DeviceFlow>[0]): ReturnType<DeviceFlow> {
  const flow = await import('./device.js')
  return flow.runDeviceFlow(options)
}
