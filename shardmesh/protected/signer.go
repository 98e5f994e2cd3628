package protected

import (
	"errors"
	"time"
)

// Signer signs messages for one protected pubsub topic with the shard's
// private key. It is safe for concurrent use.
type Signer struct {
	topic string
	key   PrivateKey
}

// NewSigner returns a signer for pubsubTopic.
func NewSigner(pubsubTopic string, key PrivateKey) (*Signer, error) {
	if pubsubTopic == "" {
		return nil, errors.New("protected: NewSigner: empty pubsub topic")
	}
	if key.IsZero() {
		return nil, errors.New("protected: NewSigner: no private key")
	}
	return &Signer{topic: pubsubTopic, key: key}, nil
}

// PubsubTopic returns the topic the signer signs for.
func (s *Signer) PubsubTopic() string { return s.topic }

// PublicKey returns the public key relays verify the signatures with.
func (s *Signer) PublicKey() PublicKey { return s.key.Public() }

// Sign stores in m.Meta the signature of m's SigningHash on the signer's
// topic. A message without a timestamp gets now (validators refuse
// timestamp 0), so set Timestamp before signing to choose it.
func (s *Signer) Sign(m *Message, now time.Time) error {
	if m.Timestamp == 0 {
		m.Timestamp = now.UnixNano()
	}
	sig, err := s.key.Sign(SigningHash(s.topic, m))
	if err != nil {
		return err
	}
	m.Meta = sig
	return nil
}
