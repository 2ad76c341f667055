import type { Attributes, ObservableCallback } from '@opentelemetry/api'
import type { RedisFleet, RedisFleetEvent } from '@claw/auth-profiles/redis'
import type { Instruments } from './instruments.js'
import { ATTR } from './names.js'

/**
 * Observes a fleet: the circuit gauge (read from `fleet.status()` at each collection), the
 * transitions counter and the Redis call latency histogram. Returns the function that stops it.
 */
export function observeFleet(instruments: Instruments, fleet: RedisFleet): () => void {
  const base: Attributes = { [ATTR.redisPrefix]: fleet.prefix }
  const calls: Attributes = { [ATTR.dbSystem]: 'redis', ...base }
  const gauge: ObservableCallback = (result) => {
    const status = fleet.status()
    if (status !== 'closed') result.observe(status === 'degraded' ? 1 : 0, base)
  }
  instruments.circuitOpen.addCallback(gauge)
  const unsubscribe = fleet.subscribe((event: RedisFleetEvent) => {
    switch (event.type) {
      case 'command':
        instruments.redisDuration.record(
          event.durationMs / 1000,
          event.error === undefined ? calls : { ...calls, [ATTR.errorType]: event.error },
        )
        return
      case 'circuit_opened':
        instruments.circuitTransitions.add(1, {
          ...base,
          [ATTR.circuitState]: 'open',
          [ATTR.errorType]: event.reason,
        })
        return
      case 'circuit_closed':
        instruments.circuitTransitions.add(1, { ...base, [ATTR.circuitState]: 'closed' })
        return
    }
  })
  return () => {
    unsubscribe()
    instruments.circuitOpen.removeCallback(gauge)
  }
}
