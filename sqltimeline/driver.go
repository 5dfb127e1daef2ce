package sqltimeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
)

// WrapDriver returns a driver.Driver that opens d's connections wrapped, so
// that statements run with a context carrying a timeline are recorded in it.
// name names the database in the entries' category ("SQL-<name>") unless
// opts sets Category; opts may be nil. The result implements
// driver.DriverContext exactly when d does. Wrapping a driver this package
// wrapped wraps the original again, with the new options.
func WrapDriver(name string, d driver.Driver, opts *Options) driver.Driver {
	return wrapDriver(d, newConfig(name, opts))
}

func wrapDriver(d driver.Driver, cfg *config) driver.Driver {
	switch w := d.(type) {
	case *wrappedDriver:
		d = w.inner
	case *wrappedDriverContext:
		d = w.inner
	}
	w := wrappedDriver{inner: d, cfg: cfg}
	if _, ok := d.(driver.DriverContext); ok {
		return &wrappedDriverContext{w}
	}
	return &w
}

// WrapConnector returns a driver.Connector whose connections are wrapped like
// WrapDriver's; use it with sql.OpenDB. The result implements io.Closer
// exactly when c does (database/sql closes it with the DB). Wrapping a
// connector this package wrapped wraps the original again.
func WrapConnector(name string, c driver.Connector, opts *Options) driver.Connector {
	switch w := c.(type) {
	case *wrappedConnector:
		c = w.inner
	case *wrappedConnectorCloser:
		c = w.inner
	}
	cfg := newConfig(name, opts)
	return wrapConnector(c, wrapDriver(c.Driver(), cfg), cfg)
}

func wrapConnector(c driver.Connector, d driver.Driver, cfg *config) driver.Connector {
	w := wrappedConnector{inner: c, driver: d, cfg: cfg}
	if _, ok := c.(io.Closer); ok {
		return &wrappedConnectorCloser{w}
	}
	return &w
}

// Register makes a wrapped d available to sql.Open under name, which also
// names the database in the entries' category unless opts sets Category.
// Unlike sql.Register it does not panic: a duplicate name or a nil driver is
// an error.
func Register(name string, d driver.Driver, opts *Options) (err error) {
	if d == nil {
		return fmt.Errorf("sqltimeline: Register %q: nil driver", name)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqltimeline: Register %q: %v", name, r)
		}
	}()
	sql.Register(name, WrapDriver(name, d, opts))
	return nil
}

// Open opens a *sql.DB on the registered driver driverName with the
// data source name dsn, every connection wrapped. driverName also names the
// database in the entries' category unless opts sets Category.
//
// Like sql.Open, it does not connect; use DB.PingContext to check the
// database is reachable.
func Open(driverName, dsn string, opts *Options) (*sql.DB, error) {
	// database/sql has no lookup of drivers by name; a DB made by sql.Open
	// (which opens no connection) gives the driver.
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqltimeline: %w", err)
	}
	d := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, fmt.Errorf("sqltimeline: %w", err)
	}
	w := WrapDriver(driverName, d, opts)
	if dc, ok := w.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("sqltimeline: %w", err)
		}
		return sql.OpenDB(c), nil
	}
	return sql.OpenDB(dsnConnector{dsn: dsn, driver: w}), nil
}

type wrappedDriver struct {
	inner driver.Driver
	cfg   *config
}

func (d *wrappedDriver) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return newConn(c, d.cfg), nil
}

type wrappedDriverContext struct{ wrappedDriver }

func (d *wrappedDriverContext) OpenConnector(name string) (driver.Connector, error) {
	c, err := d.inner.(driver.DriverContext).OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return wrapConnector(c, d, d.cfg), nil
}

type wrappedConnector struct {
	inner  driver.Connector
	driver driver.Driver
	cfg    *config
}

func (c *wrappedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newConn(conn, c.cfg), nil
}

func (c *wrappedConnector) Driver() driver.Driver { return c.driver }

type wrappedConnectorCloser struct{ wrappedConnector }

func (c *wrappedConnectorCloser) Close() error { return c.inner.(io.Closer).Close() }

// dsnConnector is what sql.Open uses for a driver without DriverContext.
type dsnConnector struct {
	dsn    string
	driver driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.driver }
