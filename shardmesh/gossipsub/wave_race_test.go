//go:build race

package gossipsub_test

// throwawayWave is smaller under the race detector (CI's run), which makes
// every host several times as costly; the bound per departed peer is the
// same.
const throwawayWave = 300
