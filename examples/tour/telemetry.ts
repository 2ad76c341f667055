// The tour's OpenTelemetry: an SDK tracer and meter provider writing to in-memory exporters (a
// real application would export over OTLP instead), claw's instrumentation on top, and a printout
// of what an OpenTelemetry backend would have received.
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { createClawTelemetry, type ClawTelemetry } from '@claw/failover/telemetry'

export interface TourTelemetry {
  readonly telemetry: ClawTelemetry
  /** Prints every metric data point, and the spans of the runs with their events. */
  print(): Promise<void>
  shutdown(): Promise<void>
}

function attributes(values: Readonly<Record<string, unknown>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ')
}

function printSpan(span: ReadableSpan, index: number): void {
  const ms = span.duration[0] * 1000 + span.duration[1] / 1e6
  console.log(
    `\n  span #${index + 1} ${span.name} (${ms.toFixed(1)} ms) ${attributes(span.attributes)}`,
  )
  for (const event of span.events)
    console.log(`    event ${event.name} ${attributes(event.attributes ?? {})}`)
}

export function startTourTelemetry(): TourTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metrics,
    exportIntervalMillis: 60_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    telemetry: createClawTelemetry({ tracerProvider, meterProvider }),
    async print() {
      await reader.forceFlush()
      console.log('  metrics')
      for (const scope of metrics.getMetrics().at(-1)?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints) {
            const value =
              typeof point.value === 'number'
                ? String(point.value)
                : `count=${(point.value as { count: number }).count}`
            console.log(`    ${metric.descriptor.name} ${attributes(point.attributes)} → ${value}`)
          }
        }
      }
      spans.getFinishedSpans().forEach(printSpan)
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
      context.disable()
    },
  }
}
