// Streams fail over only before their first content part: the parts a stream opens with (its
// warnings, response metadata, raw chunks) are held back until content arrives, so an attempt that
// fails before then is dropped without the caller having seen anything of it. From the first
// content part on, the stream is the caller's: a later error is the stream's own error.
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider'

/** Parts that carry no content: held back until the first content part. */
const OPENING_PARTS: ReadonlySet<LanguageModelV4StreamPart['type']> = new Set([
  'stream-start',
  'response-metadata',
  'raw',
  'ping',
])

/** An `error` part that arrived before any content, thrown so failover can classify it. */
export class StreamErrorPart extends Error {
  override readonly name = 'StreamErrorPart'
  constructor(
    /** The part's error: the provider's error object (for the classifier) or an Error. */
    readonly error: unknown,
  ) {
    super(
      error instanceof Error
        ? error.message
        : typeof (error as { message?: unknown } | null)?.message === 'string'
          ? (error as { message: string }).message
          : 'the stream failed before its first content',
      { cause: error },
    )
  }
}

/** A stream whose opening parts were read, up to and including its first content part. */
export interface OpenedStream {
  /** The parts read so far, in order. */
  readonly head: readonly LanguageModelV4StreamPart[]
  /** The rest of the stream. */
  readonly reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>
}

/**
 * Reads a stream up to its first content part (or its end). An `error` part or a failed read before
 * then rejects (the underlying stream is cancelled), so the attempt counts as failed.
 */
export async function readToFirstContent(
  stream: ReadableStream<LanguageModelV4StreamPart>,
): Promise<OpenedStream> {
  const reader = stream.getReader()
  const head: LanguageModelV4StreamPart[] = []
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { head, reader }
      if (value.type === 'error') throw new StreamErrorPart(value.error)
      head.push(value)
      if (!OPENING_PARTS.has(value.type)) return { head, reader }
    }
  } catch (error) {
    reader.cancel(error).catch(() => {})
    throw error
  }
}

/**
 * The caller's stream: the held-back parts, then the rest, each passed through `transform`
 * (which adds claw's metadata to the `finish` part). It pulls only when read, so `transform` sees
 * the run's outcome, which is known by the time the caller gets the stream.
 */
export function resumeStream(
  opened: OpenedStream,
  transform: (part: LanguageModelV4StreamPart) => LanguageModelV4StreamPart,
): ReadableStream<LanguageModelV4StreamPart> {
  let index = 0
  const { head, reader } = opened
  return new ReadableStream<LanguageModelV4StreamPart>(
    {
      async pull(controller) {
        if (index < head.length) {
          controller.enqueue(transform(head[index] as LanguageModelV4StreamPart))
          index += 1
          return
        }
        try {
          const { done, value } = await reader.read()
          if (done) controller.close()
          else controller.enqueue(transform(value))
        } catch (error) {
          controller.error(error)
        }
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}
