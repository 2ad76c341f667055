const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/**
 * Why a configured OAuth endpoint URL is not acceptable, or `undefined`: it must be an absolute
 * https URL, or http on a loopback host (`127.0.0.1`, `localhost`, `[::1]`).
 *
 * @internal
 */
export function checkOAuthEndpointUrl(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined
  return 'must be https (plain http only on a loopback host)'
}
