// Package wire is the request decoder of examples/telemetryd: it checks a
// POST /record-metrics body (Status's format, metrics/telemetry's types)
// field by field against the documented limits and turns a valid request
// into rows to store. It does not store anything (package service does) and
// imports no database driver, so that its fuzz target builds fast.
package wire
