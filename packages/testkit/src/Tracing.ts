/**
 * A tracer for tests of tracing: it keeps every span it makes, to be inspected afterwards.
 *
 * @since 0.1.0
 */
import * as Tracer from "effect/Tracer"

/**
 * A tracer and the spans it made so far (in creation order).
 *
 * @since 0.1.0
 * @category constructors
 */
export const collectingTracer = (): { readonly spans: Array<Tracer.NativeSpan>; readonly tracer: Tracer.Tracer } => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}
