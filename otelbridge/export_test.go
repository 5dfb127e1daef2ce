package otelbridge

// Tracked exposes SpanObserver.tracked to the tests.
func (o *SpanObserver) Tracked() int { return o.tracked() }

// Held exposes how many records a LogPublisher holds back to the tests.
func (p *LogPublisher) Held() int { return p.revs.heldCount() }
