// Package layers holds no code, only the test that keeps the library's
// layering true: pure cores import nothing but the standard library and other
// pure wakupm packages, and the selector shell links no relay manager, no
// discv5 and no Prometheus.
//
// It does not check shells against each other; go vet and the build do that.
package layers
