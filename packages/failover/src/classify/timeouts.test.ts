import { describe, expect, it } from 'vitest'
import { named } from '../../test/helpers/classify-errors.js'
import { FailoverError } from '../errors.js'
import { isTimeoutError, isUserAbortError } from './timeouts.js'

describe('isTimeoutError / isUserAbortError', () => {
  it('recognises timeouts', () => {
    expect(isTimeoutError(named('TimeoutError', 'x'))).toBe(true)
    expect(isTimeoutError(new Error('socket timeout'))).toBe(true)
    expect(isTimeoutError(named('AbortError', 'request aborted'))).toBe(true)
    expect(
      isTimeoutError(named('AbortError', 'aborted', { cause: { name: 'TimeoutError' } })),
    ).toBe(true)
    expect(
      isTimeoutError(
        named('AbortError', 'aborted', {
          cause: new Error('wrapper', { cause: new Error('timed out') }),
        }),
      ),
    ).toBe(true)
    expect(isTimeoutError(named('AbortError', 'aborted'))).toBe(false)
    expect(isTimeoutError(new Error('rate limit'))).toBe(false)
    expect(isTimeoutError('deadline exceeded')).toBe(true)
    expect(isTimeoutError(undefined)).toBe(false)
  })

  it('recognises user aborts', () => {
    const controller = new AbortController()
    controller.abort()
    expect(isUserAbortError(controller.signal.reason)).toBe(true)
    expect(isUserAbortError(named('AbortError', 'This operation was aborted'))).toBe(true)
    expect(isUserAbortError(named('AbortError', 'Request was aborted.'))).toBe(false)
    expect(isUserAbortError(named('AbortError', 'x', { cause: named('TimeoutError', 'y') }))).toBe(
      false,
    )
    expect(isUserAbortError(AbortSignal.timeout(0).reason)).toBe(false)
    const failover = Object.assign(new FailoverError('timeout', 'x'), {})
    Object.defineProperty(failover, 'name', { value: 'AbortError' })
    expect(isUserAbortError(failover)).toBe(false)
    expect(isUserAbortError(new Error('aborted'))).toBe(false)
    expect(isUserAbortError('AbortError')).toBe(false)
  })
})
