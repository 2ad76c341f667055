// A quick, conservative check of a stored credential against the store schema (`schemas.ts`), so
// reading a store of ordinary profiles does not load zod (tens of milliseconds at start-up, most
// of a short CLI command). `true` means the schema accepts the entry as it is; `false` means "not
// sure" and the caller validates with the schema, which also names the problem. Entries with
// SecretRefs or metadata always take the schema path. credential-check.test.ts checks that the
// schema accepts everything this accepts.

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string'
}

function optionalNumber(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value))
}

/** @internal */
export function isOrdinaryValidCredential(entry: Readonly<Record<string, unknown>>): boolean {
  const { provider, generation, status } = entry
  if (typeof provider !== 'string' || provider.trim() === '') return false
  if (!optionalString(entry['email'])) return false
  if (
    generation !== undefined &&
    !(Number.isSafeInteger(generation) && (generation as number) >= 0)
  )
    return false
  if (status !== undefined && status !== 'needs_reauth') return false
  if ('keyRef' in entry || 'tokenRef' in entry || 'metadata' in entry) return false
  switch (entry['type']) {
    case 'api_key':
      return optionalString(entry['key'])
    case 'token':
      return optionalString(entry['token']) && optionalNumber(entry['expires'])
    case 'oauth':
      return (
        typeof entry['access'] === 'string' &&
        typeof entry['refresh'] === 'string' &&
        typeof entry['expires'] === 'number' &&
        Number.isFinite(entry['expires']) &&
        optionalString(entry['accountId']) &&
        optionalString(entry['projectId']) &&
        optionalString(entry['enterpriseUrl']) &&
        optionalString(entry['clientId'])
      )
    default:
      return false
  }
}
