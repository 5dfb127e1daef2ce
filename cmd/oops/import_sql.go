package main

import (
	"context"
	"fmt"
)

func runImport(ctx context.Context, e *env, dir string) error {
	h, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer h.close()
	return storeErr(fmt.Errorf("store %s: import needs a SQL store", h.name))
}
