package oops

import (
	"context"
	"errors"
	"fmt"
)

// A Publisher stores or sends a report and returns the ids it was stored
// under (python-oops publishers do the same). A publisher that did not keep
// the report returns no ids. Publishers should keep r.ID as the id.
type Publisher interface {
	Publish(ctx context.Context, r *Report) ([]string, error)
}

// PublisherFunc adapts a function to a Publisher.
type PublisherFunc func(ctx context.Context, r *Report) ([]string, error)

// Publish calls f.
func (f PublisherFunc) Publish(ctx context.Context, r *Report) ([]string, error) { return f(ctx, r) }

// ToMany returns a Publisher that publishes to every one of pubs in order and
// returns all their ids concatenated. After each publisher, r.ID is set to the
// last id it returned, so later publishers see it. Errors do not stop the
// others; they are joined and returned with the ids. An Async among pubs
// reads the report later, from its own goroutine: the publishers after it
// must keep r.ID.
func ToMany(pubs ...Publisher) Publisher {
	return toMany(pubs)
}

type toMany []Publisher

func (m toMany) Publish(ctx context.Context, r *Report) ([]string, error) {
	var all []string
	var errs []error
	for i, p := range m {
		ids, err := p.Publish(ctx, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("oops: publisher %d: %w", i, err))
		}
		if len(ids) > 0 {
			// Write only a changed id: an Async among pubs may be reading r.
			if last := ids[len(ids)-1]; r.ID != last {
				r.ID = last
			}
			all = append(all, ids...)
		}
	}
	return all, errors.Join(errs...)
}

// WithFallback returns a Publisher that tries pubs in order and stops at the
// first that returns ids. A publisher's error moves on to the next; the
// errors are returned, joined, only when no publisher returned ids.
func WithFallback(pubs ...Publisher) Publisher {
	return withFallback(pubs)
}

type withFallback []Publisher

func (f withFallback) Publish(ctx context.Context, r *Report) ([]string, error) {
	var errs []error
	for i, p := range f {
		ids, err := p.Publish(ctx, r)
		if len(ids) > 0 {
			return ids, nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("oops: publisher %d: %w", i, err))
		}
	}
	return nil, errors.Join(errs...)
}

// Discard is a Publisher that keeps nothing and returns no ids.
var Discard Publisher = PublisherFunc(func(context.Context, *Report) ([]string, error) { return nil, nil })
