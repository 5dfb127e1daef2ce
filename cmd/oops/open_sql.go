package main

import (
	"context"
	"fmt"
)

// openSQL opens a SQL store.
func openSQL(_ context.Context, spec string) (*storeHandle, error) {
	return nil, storeErr(fmt.Errorf("store %s: SQL stores are not built into this command yet", spec))
}
