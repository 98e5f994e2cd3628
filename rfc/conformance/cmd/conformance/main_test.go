package main

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestSelfTestOfTheBuiltinDriver(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-selftest"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ok   bye") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestJUnitMatrix(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-format", "junit"}, &out); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Suites []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Suites) != 6 || v.Suites[0].Name != "wakupm" {
		t.Errorf("suites %+v", v.Suites)
	}
}
