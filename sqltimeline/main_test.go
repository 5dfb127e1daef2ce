package sqltimeline

import (
	"testing"

	"github.com/oops-go/oops/internal/testenv"
)

// TestMain says how many tests were skipped for lack of a PostgreSQL server.
func TestMain(m *testing.M) { testenv.Main(m) }
