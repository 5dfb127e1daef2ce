package stack_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/oops-go/oops/internal/stack"
	"github.com/stretchr/testify/assert"
)

func userFunction() []uintptr { return stack.Callers(0) }

func TestFormatGoroutineDumpShape(t *testing.T) {
	out := stack.Format(userFunction())
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	assert.Equal(t, "github.com/oops-go/oops/internal/stack_test.userFunction(...)", lines[0])
	assert.Regexp(t, regexp.MustCompile(`^\t/.*/internal/stack/format_test\.go:\d+$`), lines[1])
	assert.Equal(t, "github.com/oops-go/oops/internal/stack_test.TestFormatGoroutineDumpShape(...)", lines[2])
	assert.Zero(t, len(lines)%2, "function and file:line alternate")
	for i := 0; i < len(lines); i += 2 {
		assert.True(t, strings.HasSuffix(lines[i], "(...)"), lines[i])
		assert.True(t, strings.HasPrefix(lines[i+1], "\t"), lines[i+1])
	}
	assert.True(t, strings.HasSuffix(out, "\n"))
}
