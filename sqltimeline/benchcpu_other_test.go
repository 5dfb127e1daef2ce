//go:build !unix

package sqltimeline

import (
	"testing"
	"time"
)

// sqlCPUTime is not measured where getrusage is missing.
func sqlCPUTime(*testing.B) time.Duration { return 0 }

// reportSQLCPU reports nothing where getrusage is missing.
func reportSQLCPU(*testing.B, time.Duration) {}
