package sqltimeline

// recorded returns the error to record for err (see Options.RedactError).
func (c *config) recorded(err error) error { return c.rec.Recorded(err) }
