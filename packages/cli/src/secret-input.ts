// Reading secrets: from stdin when it is piped, else from a hidden prompt on the terminal. Secrets
// never come from argv (other users can read a process's arguments).
import { CliError, usageError } from './errors.js'
import type { CliIo } from './io.js'

/** Secrets longer than this on stdin are refused (API keys and tokens are a few KB at most). */
export const MAX_SECRET_BYTES = 64 * 1024

/**
 * Reads one secret: the whole of stdin when it is not a terminal (trailing newlines trimmed), else
 * a hidden prompt (nothing echoed). Empty input is an error.
 */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  const value = io.stdin.isTTY ? await hiddenPrompt(io, prompt) : await readAllStdin(io)
  const trimmed = value.replace(/[\r\n]+$/, '').trim()
  if (trimmed === '') {
    throw usageError(
      io.stdin.isTTY
        ? 'Nothing entered.'
        : 'No secret received on stdin. Pipe it in (e.g. `printenv MY_KEY | claw …`) or run in a terminal to be prompted.',
    )
  }
  if (/[\r\n]/.test(trimmed)) throw usageError('Expected one line on stdin; got several.')
  return trimmed
}

async function readAllStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += buffer.length
    if (size > MAX_SECRET_BYTES)
      throw usageError(`Input on stdin is larger than ${MAX_SECRET_BYTES} bytes.`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A prompt on the terminal whose answer is not echoed. Ctrl-C aborts. */
async function hiddenPrompt(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin
  return new Promise<string>((resolve, reject) => {
    let value = ''
    const finish = (error?: Error): void => {
      stdin.removeListener('data', onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      io.stderr.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish()
        if (char === '\u0003') return finish(new CliError('Cancelled.'))
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1)
        else value += char
      }
    }
    // Echo goes off before the prompt shows, so nothing typed after the prompt is echoed.
    stdin.setRawMode?.(true)
    io.stderr.write(prompt)
    stdin.on('data', onData)
    stdin.resume()
  })
}

/** Asks a question on the terminal and returns the answer (echoed). */
export async function ask(io: CliIo, question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({
    input: io.stdin,
    output: io.stderr as NodeJS.WritableStream,
    terminal: io.stdin.isTTY === true,
  })
  try {
    return (await rl.question(question)).trim()
  } finally {
    rl.close()
  }
}
