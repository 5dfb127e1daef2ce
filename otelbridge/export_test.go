package otelbridge

// Tracked exposes SpanObserver.tracked to the tests.
func (o *SpanObserver) Tracked() int { return o.tracked() }
