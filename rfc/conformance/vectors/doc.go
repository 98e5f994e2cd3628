// Package vectors owns the wire vectors of the conformance suite: it loads
// the JSON files under rfc/conformance/vectors (format in README.md), decodes
// a vector's input with wakupm's codecs (Check) and judges any
// implementation's answer against the vector's expectation (Judge).
//
// It does not run drivers or print matrices (that is the conformance
// runner's), and it does not define the formats: the RFC and the upstream
// specifications do, and each vector cites its source.
package vectors
