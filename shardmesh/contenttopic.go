package shardmesh

import (
	"fmt"
	"strconv"
	"strings"
)

// ContentTopic is a parsed Waku content topic (23/WAKU2-TOPICS, with the
// optional generation prefix of RELAY-SHARDING "Content Topics Format for
// Autosharding"):
//
//	long form:  /{generation}/{application}/{version}/{name}/{encoding}
//	short form: /{application}/{version}/{name}/{encoding}
//
// The short form has generation 0. Fields are non-empty and contain no '/';
// apart from that the spec puts no limit on their characters.
type ContentTopic struct {
	// Generation is 0 for the short form.
	Generation uint32
	// LongForm records whether the topic carried the generation segment, so
	// that String gives back the text that was parsed.
	LongForm    bool
	Application string
	Version     string
	Name        string
	Encoding    string
}

// String formats the topic in the form it was parsed from (long form when
// LongForm is set).
func (c ContentTopic) String() string {
	var b strings.Builder
	if c.LongForm {
		b.WriteByte('/')
		b.WriteString(strconv.FormatUint(uint64(c.Generation), 10))
	}
	for _, f := range [...]string{c.Application, c.Version, c.Name, c.Encoding} {
		b.WriteByte('/')
		b.WriteString(f)
	}
	return b.String()
}

// ContentTopicReason says why a content topic was rejected.
type ContentTopicReason uint8

// Reasons a content topic is rejected.
const (
	// ContentNoLeadingSlash: the topic does not start with '/'.
	ContentNoLeadingSlash ContentTopicReason = iota + 1
	// ContentSegmentCount: not 4 (short form) or 5 (long form) segments.
	ContentSegmentCount
	// ContentEmptyGeneration: the long form's generation segment is empty.
	ContentEmptyGeneration
	// ContentGenerationNotDecimal: the generation is not plain decimal digits
	// (no sign, no spaces).
	ContentGenerationNotDecimal
	// ContentGenerationLeadingZero: the generation has a leading zero ("00").
	ContentGenerationLeadingZero
	// ContentGenerationOverflow: the generation is above 4294967295.
	ContentGenerationOverflow
	// ContentEmptyApplication: the application segment is empty.
	ContentEmptyApplication
	// ContentEmptyVersion: the version segment is empty.
	ContentEmptyVersion
	// ContentEmptyName: the topic-name segment is empty.
	ContentEmptyName
	// ContentEmptyEncoding: the encoding segment is empty.
	ContentEmptyEncoding
	// ContentUnsupportedGeneration: a valid topic whose generation is not 0;
	// only generation 0 is defined (RELAY-SHARDING "Generation and scaling").
	ContentUnsupportedGeneration
)

var contentTopicReasonText = [...]string{
	ContentNoLeadingSlash:        "must start with '/'",
	ContentSegmentCount:          "want /{application}/{version}/{name}/{encoding} or /{generation}/{application}/{version}/{name}/{encoding}",
	ContentEmptyGeneration:       "empty generation",
	ContentGenerationNotDecimal:  "generation must be a plain decimal number",
	ContentGenerationLeadingZero: "generation must not have leading zeros",
	ContentGenerationOverflow:    "generation above 4294967295",
	ContentEmptyApplication:      "empty application",
	ContentEmptyVersion:          "empty version",
	ContentEmptyName:             "empty topic name",
	ContentEmptyEncoding:         "empty encoding",
	ContentUnsupportedGeneration: "only generation 0 is supported",
}

func (r ContentTopicReason) String() string {
	if int(r) < len(contentTopicReasonText) && contentTopicReasonText[r] != "" {
		return contentTopicReasonText[r]
	}
	return fmt.Sprintf("ContentTopicReason(%d)", uint8(r))
}

// ContentTopicError reports a content topic that cannot be parsed or
// autosharded.
type ContentTopicError struct {
	Topic  string
	Reason ContentTopicReason
}

func (e *ContentTopicError) Error() string {
	return fmt.Sprintf("shardmesh: invalid content topic %q: %s", e.Topic, e.Reason)
}

// ParseContentTopic parses the long or the short form of a content topic.
// The generation, when present, must be canonical decimal (no sign, no
// leading zero). nwaku (parseInt) and js-waku (parseInt) also accept forms
// such as "00" or, in js-waku, "0x"; this parser does not, so that one topic
// has one spelling. Any generation parses; AutoShard rejects those other
// than 0. It returns a *ContentTopicError and never panics.
func ParseContentTopic(topic string) (ContentTopic, error) {
	fail := func(r ContentTopicReason) (ContentTopic, error) {
		return ContentTopic{}, &ContentTopicError{Topic: topic, Reason: r}
	}
	rest, ok := strings.CutPrefix(topic, "/")
	if !ok {
		return fail(ContentNoLeadingSlash)
	}
	var seg [5]string
	n := 0
	for n < len(seg) {
		s, after, found := strings.Cut(rest, "/")
		seg[n] = s
		n++
		if !found {
			rest = ""
			break
		}
		rest = after
		if n == len(seg) {
			return fail(ContentSegmentCount) // a sixth segment follows
		}
	}
	var c ContentTopic
	fields := seg[:n]
	switch n {
	case 4:
	case 5:
		gen, r := parseGeneration(seg[0])
		if r != 0 {
			return fail(r)
		}
		c.Generation, c.LongForm = gen, true
		fields = seg[1:5]
	default:
		return fail(ContentSegmentCount)
	}
	empties := [...]ContentTopicReason{ContentEmptyApplication, ContentEmptyVersion, ContentEmptyName, ContentEmptyEncoding}
	for i, f := range fields {
		if f == "" {
			return fail(empties[i])
		}
	}
	c.Application, c.Version, c.Name, c.Encoding = fields[0], fields[1], fields[2], fields[3]
	return c, nil
}

func parseGeneration(s string) (uint32, ContentTopicReason) {
	if s == "" {
		return 0, ContentEmptyGeneration
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ContentGenerationNotDecimal
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, ContentGenerationLeadingZero
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, ContentGenerationOverflow
	}
	return uint32(v), 0
}
