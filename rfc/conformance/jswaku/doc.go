// Package jswaku owns the js-waku driver of the conformance suite
// (driver.mjs, written from ../PROTOCOL.md alone) and the pinned list of
// published js-waku packages it runs (package.json), and installs both so
// that the runner can start the driver as one more implementation.
//
// It does not judge answers (package vectors does) or print matrices (the
// conformance runner does); it knows nothing of js-waku beyond the script.
package jswaku
