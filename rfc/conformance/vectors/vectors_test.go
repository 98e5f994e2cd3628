package vectors

import (
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"
)

// TestWakupmPassesEveryVector runs every vector file through wakupm's codecs.
func TestWakupmPassesEveryVector(t *testing.T) {
	files, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range Cases(files) {
		kinds[c.Kind]++
		t.Run(c.ID, func(t *testing.T) {
			got, err := CheckAnswer(c.Kind, c.Input)
			if err != nil {
				t.Fatalf("input: %v", err)
			}
			if ok, why := Judge(c, got); !ok {
				t.Errorf("%s (%s): %s", c.ID, c.Source, why)
			}
		})
	}
	for _, k := range Kinds {
		if kinds[k] == 0 {
			t.Errorf("kind %s has no vector", k)
		}
	}
}

func TestCheckRefusesUnknownKindAndBadInput(t *testing.T) {
	if _, _, err := Check("no-such-kind", json.RawMessage(`{}`)); !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("unknown kind: %v", err)
	}
	for kind, in := range map[string]string{
		KindENRRS:        `{"hex":"zz"}`,
		KindENRRSV:       `{}`,
		KindPubsubTopic:  `{"txt":"/waku/2/rs/1/2"}`,
		KindAutoshard:    `{"content_topic":"/a/1/b/c"}`,
		KindProtected:    `{"pubsub_topic":"t"}`,
		KindMessageHash:  `[]`,
		KindENR:          `{"text":1}`,
		KindMetadata:     `{"hex":"0"}`,
		KindPeerExchange: `{"hex":null}`,
	} {
		_, _, err := Check(kind, json.RawMessage(in))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s %s: err = %v, want *InputError", kind, in, err)
		}
	}
}

func TestJudge(t *testing.T) {
	value := Case{Expect: Answer{Value: json.RawMessage(`{"cluster":1,"shards":[1,10]}`)}}
	class := Case{Expect: Answer{ErrorClass: ClassBadLength}}
	tests := []struct {
		name string
		c    Case
		got  Answer
		pass bool
	}{
		{"same value, other key order and number spelling", value, Answer{Value: json.RawMessage(`{"shards":[1,1e1],"cluster":1.0}`)}, true},
		{"other shards", value, Answer{Value: json.RawMessage(`{"cluster":1,"shards":[6,13]}`)}, false},
		{"shards out of order", value, Answer{Value: json.RawMessage(`{"cluster":1,"shards":[10,1]}`)}, false},
		{"extra key", value, Answer{Value: json.RawMessage(`{"cluster":1,"shards":[1,10],"x":null}`)}, false},
		{"error where a value is expected", value, Answer{ErrorClass: ClassMalformed}, false},
		{"same class", class, Answer{ErrorClass: ClassBadLength}, true},
		{"rejected matches any class", class, Answer{ErrorClass: ClassRejected}, true},
		{"other class", class, Answer{ErrorClass: ClassOutOfRange}, false},
		{"accepted where a rejection is expected", class, Answer{Value: json.RawMessage(`{"cluster":0,"shards":[]}`)}, false},
		{"large integers keep precision", Case{Expect: Answer{Value: json.RawMessage(`18446744073709551615`)}}, Answer{Value: json.RawMessage(`18446744073709551614`)}, false},
	}
	for _, tt := range tests {
		if pass, why := Judge(tt.c, tt.got); pass != tt.pass {
			t.Errorf("%s: pass = %v (%s), want %v", tt.name, pass, why, tt.pass)
		}
	}
}

func TestLoadRefusesMalformedFiles(t *testing.T) {
	good := `{"name":"a","rule":"WIRE-2","source":"s","input":{"hex":""},"expect":{"error_class":"bad-length"}}`
	for name, text := range map[string]string{
		"kind not the directory": `{"kind":"enr-rsv","description":"d","cases":[` + good + `]}`,
		"unknown field":          `{"kind":"enr-rs","description":"d","cases":[` + good + `],"x":1}`,
		"no cases":               `{"kind":"enr-rs","description":"d","cases":[]}`,
		"duplicate name":         `{"kind":"enr-rs","description":"d","cases":[` + good + `,` + good + `]}`,
		"both value and class":   `{"kind":"enr-rs","description":"d","cases":[{"name":"a","rule":"WIRE-2","source":"s","input":{},"expect":{"value":1,"error_class":"malformed"}}]}`,
		"unknown class":          `{"kind":"enr-rs","description":"d","cases":[{"name":"a","rule":"WIRE-2","source":"s","input":{},"expect":{"error_class":"too-short"}}]}`,
		"no source":              `{"kind":"enr-rs","description":"d","cases":[{"name":"a","rule":"WIRE-2","input":{},"expect":{"error_class":"malformed"}}]}`,
		"bad rule":               `{"kind":"enr-rs","description":"d","cases":[{"name":"a","rule":"wire 2","source":"s","input":{},"expect":{"error_class":"malformed"}}]}`,
		"bad name":               `{"kind":"enr-rs","description":"d","cases":[{"name":"A b","rule":"WIRE-2","source":"s","input":{},"expect":{"error_class":"malformed"}}]}`,
	} {
		fsys := fstest.MapFS{"enr-rs/g.json": {Data: []byte(text)}}
		_, err := LoadFS(fsys)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want *FormatError", name, err)
		}
	}
}
