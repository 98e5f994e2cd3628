package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Frame size limits. A WakuMessage is at most 150 KiB on The Waku Network
// (rfc-index 64/WAKU2-NETWORK; nwaku DefaultMaxWakuMessageSize); a light
// push request carries one plus its envelope, as nwaku's MaxRpcSize
// (waku/waku_lightpush/rpc_codec.nim: MaxWakuMessageSize + 64 KiB) allows.
const (
	MaxWakuMessageSize = 150 * 1024
	MaxLightPushFrame  = MaxWakuMessageSize + 64*1024
	// MaxFilterRequestFrame bounds a filter subscribe request: at most
	// MaxContentTopicsPerRequest topics plus a pubsub topic and request id
	// fit comfortably. nwaku allows more (MaxSubscribeSize); a request this
	// server refuses as too large would be refused by nwaku for its topic
	// count anyway.
	MaxFilterRequestFrame = 64 * 1024
	// MaxContentTopicsPerRequest: nwaku and go-waku refuse a filter request
	// with more (MaxContentTopicsPerRequest, 100).
	MaxContentTopicsPerRequest = 100
)

// ErrFrameTooLarge is returned by ReadFrame for a frame over its limit; the
// frame's bytes are not read.
var ErrFrameTooLarge = errors.New("wire: frame too large")

// FrameSizeError says how large a refused frame claimed to be.
type FrameSizeError struct {
	Size, Limit uint64
}

func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("%v: %d bytes, limit %d", ErrFrameTooLarge, e.Size, e.Limit)
}

// Unwrap makes errors.Is(err, ErrFrameTooLarge) true.
func (e *FrameSizeError) Unwrap() error { return ErrFrameTooLarge }

// ReadFrame reads one unsigned-varint length-prefixed frame (the framing of
// nwaku's readLp, go-waku's protoio and js-waku's it-length-prefixed) of at
// most limit bytes. A larger frame is a *FrameSizeError and is not read.
func ReadFrame(r io.Reader, limit int) ([]byte, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = &byteReader{r: r}
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("wire: frame length: %w", err)
	}
	if n > uint64(limit) {
		return nil, &FrameSizeError{Size: n, Limit: uint64(limit)}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("wire: frame body: %w", err)
	}
	return buf, nil
}

// byteReader reads one byte at a time without buffering past the varint,
// so ReadFull afterwards reads the body from the same stream.
type byteReader struct {
	r io.Reader
	b [1]byte
}

func (b *byteReader) ReadByte() (byte, error) {
	if _, err := io.ReadFull(b.r, b.b[:]); err != nil {
		return 0, err
	}
	return b.b[0], nil
}

var _ io.ByteReader = (*bufio.Reader)(nil)

// AppendFrame appends msg with its length prefix to dst.
func AppendFrame(dst, msg []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(msg)))
	return append(dst, msg...)
}

// WriteFrame writes msg with its length prefix in one Write.
func WriteFrame(w io.Writer, msg []byte) error {
	_, err := w.Write(AppendFrame(make([]byte, 0, len(msg)+binary.MaxVarintLen64), msg))
	return err
}

// DiscardOversized reads and drops the body of a frame ReadFrame refused
// (err is its *FrameSizeError), up to atMost bytes, so that a server can
// answer a client that is still writing instead of resetting the stream
// under it. It returns false when the frame is larger than atMost (the
// caller then resets the stream).
func DiscardOversized(r io.Reader, err error, atMost uint64) bool {
	var fe *FrameSizeError
	if !errors.As(err, &fe) || fe.Size > atMost {
		return false
	}
	_, cerr := io.CopyN(io.Discard, r, int64(fe.Size))
	return cerr == nil
}
