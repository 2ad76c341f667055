import { AuthProfilesError } from '../../src/errors.js'

/** Runs `run` and returns the `AuthProfilesError` it rejects with; fails on anything else. */
export async function catchAuthError(run: () => Promise<unknown>): Promise<AuthProfilesError> {
  try {
    await run()
  } catch (error) {
    if (AuthProfilesError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected an AuthProfilesError')
}
