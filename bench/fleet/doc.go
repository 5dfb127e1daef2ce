// Package fleet is a load test of oops across machines, run on one: several
// publishing processes, a RabbitMQ broker, two receivers and a store, with
// the throughput and the latency from Publish to "found by id in the store".
// See TestFleet and bench/README.md.
package fleet
