package vectors_test

import (
	"encoding/json"
	"fmt"

	"github.com/wakupm/wakupm/rfc/conformance/vectors"
)

// Decode an rs value with wakupm and judge the answer as the runner judges
// any implementation's.
func Example() {
	c := vectors.Case{
		Kind:   vectors.KindENRRS,
		Input:  json.RawMessage(`{"hex":"0049020001000a"}`),
		Expect: vectors.Answer{Value: json.RawMessage(`{"cluster":73,"shards":[1,10]}`)},
	}
	got, err := vectors.CheckAnswer(c.Kind, c.Input)
	if err != nil {
		fmt.Println(err)
		return
	}
	pass, _ := vectors.Judge(c, got)
	fmt.Println(string(got.Value), pass)

	files, _ := vectors.Load()
	fmt.Println(len(files) > 0)
	// Output:
	// {"cluster":73,"shards":[1,10]} true
	// true
}
