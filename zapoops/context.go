package zapoops

import (
	"context"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// contextKey marks the fields Context makes. Encoders skip the field, so the
// key never reaches a log line.
const contextKey = "oops.context"

// Context returns a field that carries ctx to the oops core and writes
// nothing anywhere: zap's calls take no context.Context, so this field is how
// a report gets the request's timeline (and whatever else the create hooks
// read from ctx) and how kept records find that timeline.
//
// Give it per call, logger.Error("query failed", zap.Error(err),
// zapoops.Context(ctx)), or once for a request-scoped logger,
// logger.With(zapoops.Context(ctx)). A Context given at the call wins over one
// given to With. Without one, reports are made with context.Background() and
// kept records go to the process-wide rings. Context(nil) is zap.Skip().
func Context(ctx context.Context) zap.Field {
	if ctx == nil {
		return zap.Skip()
	}
	return zap.Field{Key: contextKey, Type: zapcore.SkipType, Interface: ctx}
}

// contextOf returns the context a field made by Context carries.
func contextOf(f *zapcore.Field) (context.Context, bool) {
	if f.Type != zapcore.SkipType || f.Key != contextKey {
		return nil, false
	}
	ctx, ok := f.Interface.(context.Context)
	return ctx, ok
}

// lastContext returns the context of the last Context field in fields.
func lastContext(fields []zapcore.Field) context.Context {
	for i := len(fields) - 1; i >= 0; i-- {
		if fields[i].Type == zapcore.SkipType {
			if ctx, ok := contextOf(&fields[i]); ok {
				return ctx
			}
		}
	}
	return nil
}
