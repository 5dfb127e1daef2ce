package otelbridge_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkPrefix is where the OpenTelemetry SDK's packages live.
const sdkPrefix = "go.opentelemetry.io/otel/sdk"

// deps returns the packages pkg imports, directly or not (tests excluded),
// as the go command resolves them for this module.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		require.NoError(t, err, "go list: %s", ee.Stderr)
	}
	require.NoError(t, err)
	return strings.Fields(string(out))
}

func sdkPackages(pkgs []string) []string {
	var sdk []string
	for _, p := range pkgs {
		if p == sdkPrefix || strings.HasPrefix(p, sdkPrefix+"/") {
			sdk = append(sdk, p)
		}
	}
	return sdk
}

// TestOtelbridgeImportsTheAPIOnly keeps the SDK out of the programs that
// use otelbridge for trace ids, log records or spans alone: only the
// subpackage spantimeline, a span processor, may import it.
func TestOtelbridgeImportsTheAPIOnly(t *testing.T) {
	bridge := deps(t, "github.com/oops-go/oops/otelbridge")
	require.Contains(t, bridge, "go.opentelemetry.io/otel/trace", "the listing is of otelbridge's imports")
	assert.Empty(t, sdkPackages(bridge), "otelbridge imports the OpenTelemetry SDK")

	// The check sees the SDK where it is imported.
	assert.Contains(t, sdkPackages(deps(t, "github.com/oops-go/oops/otelbridge/spantimeline")), sdkPrefix+"/trace")
}
