// Lines from a piped stdin, one at a time, for headless flows (a pasted OAuth redirect URL).
import { createInterface, type Interface } from 'node:readline'
import type { CliIo } from '../io.js'

/** Reads stdin line by line; `next()` resolves `undefined` at end of input. */
export interface LineReader {
  next(): Promise<string | undefined>
  close(): void
}

export function createLineReader(io: CliIo): LineReader {
  let rl: Interface | undefined
  const buffered: string[] = []
  const waiting: ((line: string | undefined) => void)[] = []
  let ended = false
  const start = (): void => {
    if (rl) return
    rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity })
    rl.on('line', (line) => {
      const waiter = waiting.shift()
      if (waiter) waiter(line)
      else buffered.push(line)
    })
    rl.on('close', () => {
      ended = true
      for (const waiter of waiting.splice(0)) waiter(undefined)
    })
  }
  return {
    next() {
      start()
      const line = buffered.shift()
      if (line !== undefined) return Promise.resolve(line)
      if (ended) return Promise.resolve(undefined)
      return new Promise((resolve) => waiting.push(resolve))
    },
    close() {
      rl?.close()
      io.stdin.pause?.()
    },
  }
}
