// Package frame reads and writes the length-delimited messages of the Waku
// request/response protocols (metadata, peer exchange): an unsigned varint
// byte count followed by that many bytes, the framing of nim-libp2p's
// readLp/writeLp and go-msgio's varint reader/writer. Reads are bounded: the
// declared length is checked against a limit before anything is allocated.
package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxVarintLen is the longest varint we accept for a length. Three bytes
// express up to 2 MiB, more than any limit used here; rejecting longer
// prefixes early keeps a hostile peer from making us read ten bytes of 0x80.
const maxVarintLen = 3

// ErrLengthPrefix reports a length prefix that is not a valid varint of at
// most three bytes.
var ErrLengthPrefix = errors.New("frame: malformed length prefix")

// SizeError reports a message whose declared length exceeds the limit.
type SizeError struct {
	Size  uint64 // declared length; a lower bound when the prefix is over three bytes
	Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("frame: message of %d bytes exceeds the limit of %d bytes", e.Size, e.Limit)
}

// Read reads one length-delimited message of at most limit bytes. It reads
// byte by byte up to the end of the message and never past it, so r needs no
// buffering and the stream stays usable for a following message.
func Read(r io.Reader, limit int) ([]byte, error) {
	var (
		size  uint64
		shift uint
		one   [1]byte
	)
	for i := 0; ; i++ {
		if i == maxVarintLen {
			return nil, &SizeError{Size: 1 << (7 * maxVarintLen), Limit: limit}
		}
		if _, err := io.ReadFull(r, one[:]); err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		size |= uint64(one[0]&0x7f) << shift
		shift += 7
		if one[0] < 0x80 {
			if one[0] == 0 && i > 0 { // non-minimal encoding
				return nil, ErrLengthPrefix
			}
			break
		}
	}
	if size > uint64(limit) {
		return nil, &SizeError{Size: size, Limit: limit}
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// Append appends the length prefix of msg and msg itself to b.
func Append(b, msg []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(msg)))
	return append(b, msg...)
}

// Write writes msg with its length prefix in one Write call.
func Write(w io.Writer, msg []byte) error {
	_, err := w.Write(Append(make([]byte, 0, len(msg)+binary.MaxVarintLen64), msg))
	return err
}
