package reqvars

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEnvName(t *testing.T) {
	assert.Equal(t, "HTTP_X_REQUEST_ID", EnvName("x-request-id"))
	assert.Equal(t, "HTTP_USER_AGENT", EnvName("User-Agent"))
	assert.Equal(t, "CONTENT_TYPE", EnvName("content-type"))
	assert.Equal(t, `HTTP_A\x00B`, EnvName("a\x00b"))
	for h, name := range commonEnvNames {
		assert.Equal(t, envName(h), name, "the looked-up name of %q is the built one", h)
	}
	assert.Equal(t, "HTTP_X_FORWARDED_FOR", EnvName("X-Forwarded-For"))
	assert.Equal(t, "HTTP_X_FORWARDED_FOR", EnvName("x-forwarded-for"))
}

func TestHideCredentials(t *testing.T) {
	assert.Equal(t, "Bearer <hidden>", HideCredentials("Bearer abc"))
	assert.Equal(t, "<hidden>", HideCredentials("abc"))
	assert.Equal(t, "<hidden>", HideCredentials("a/b c"))
}

func TestValidText(t *testing.T) {
	assert.Equal(t, "ok", ValidText("ok"))
	assert.Equal(t, `a\xffb`, ValidText("a\xffb"))
}
