package main

import "testing"

func seqs(rs []received) []uint64 {
	var out []uint64
	for _, r := range rs {
		out = append(out, r.Seq)
	}
	return out
}

func TestRing(t *testing.T) {
	b := newRing(3)
	if got, lost := b.since(nil, 0, 0); len(got) != 0 || lost != 0 {
		t.Fatalf("empty ring: %v %d", got, lost)
	}
	for range 5 {
		b.add(received{})
	}
	tests := []struct {
		since    uint64
		limit    int
		want     []uint64
		wantLost uint64
	}{
		{0, 0, []uint64{3, 4, 5}, 2},
		{1, 0, []uint64{3, 4, 5}, 1},
		{2, 0, []uint64{3, 4, 5}, 0},
		{3, 0, []uint64{4, 5}, 0},
		{5, 0, nil, 0},
		{9, 0, nil, 0},
		{^uint64(0), 0, nil, 0}, // since+1 must not wrap to 0 and return everything
		{0, 2, []uint64{3, 4}, 2},
	}
	for _, tt := range tests {
		got, lost := b.since(nil, tt.since, tt.limit)
		if !equalSeqs(seqs(got), tt.want) || lost != tt.wantLost {
			t.Errorf("since(%d, limit %d) = %v lost %d, want %v lost %d", tt.since, tt.limit, seqs(got), lost, tt.want, tt.wantLost)
		}
	}
	if b.last() != 5 {
		t.Fatalf("last %d", b.last())
	}
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
