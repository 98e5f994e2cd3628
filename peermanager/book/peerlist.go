package book

// peerList is one index bucket: the slots of the peers in it, in no
// particular order, with O(1) insertion, removal (swap with the last) and
// random access. pos maps a slot to its position in refs.
type peerList struct {
	refs     []uint32
	pos      map[uint32]int32
	outbound int // members that were outbound when added
}

func (l *peerList) add(slot uint32, outbound bool) {
	if l.pos == nil {
		l.pos = make(map[uint32]int32)
	}
	if _, ok := l.pos[slot]; ok {
		return
	}
	l.pos[slot] = int32(len(l.refs))
	l.refs = append(l.refs, slot)
	if outbound {
		l.outbound++
	}
}

func (l *peerList) remove(slot uint32, outbound bool) {
	i, ok := l.pos[slot]
	if !ok {
		return
	}
	last := len(l.refs) - 1
	moved := l.refs[last]
	l.refs[i] = moved
	l.pos[moved] = i
	l.refs = l.refs[:last]
	delete(l.pos, slot)
	if outbound {
		l.outbound--
	}
}

// bucketPair holds the not-connected [0] and connected [1] members of one
// (protocol, shard) key.
// set adds slot when add is true, else removes it.
func (l *peerList) set(slot uint32, outbound, add bool) {
	if add {
		l.add(slot, outbound)
	} else {
		l.remove(slot, outbound)
	}
}

type bucketPair [2]peerList

func connIndex(connected bool) int {
	if connected {
		return 1
	}
	return 0
}
