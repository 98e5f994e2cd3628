// Command conformance runs the Waku peer-management conformance suite:
// every scenario (and wire vector) against every built-in profile and any
// driver given with -driver, through the driver protocol
// (rfc/conformance/PROTOCOL.md), and prints the rule × implementation
// matrix as text, JSON or JUnit XML.
//
//	go run ./rfc/conformance/cmd/conformance
//	go run ./rfc/conformance/cmd/conformance -driver 'node driver.mjs' -format junit -o matrix.xml
//	go run ./rfc/conformance/cmd/conformance -selftest -driver 'node driver.mjs'
//	go run ./rfc/conformance/cmd/conformance -write-expected -write-table
//
// It owns the command line; the suite, the protocol and the matrix are
// package conformance's.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wakupm/wakupm/rfc/conformance"
)

type driverFlags []string

func (d *driverFlags) String() string     { return strings.Join(*d, "; ") }
func (d *driverFlags) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	var drivers driverFlags
	fs.Var(&drivers, "driver", "a driver command (run by sh -c); repeatable")
	dir := fs.String("dir", "", "the suite's directory (default: rfc/conformance from the module root)")
	format := fs.String("format", "text", "text, json or junit")
	out := fs.String("o", "", "write the matrix to this file instead of standard output")
	builtin := fs.Bool("builtin", true, "include the built-in profiles")
	selftest := fs.Bool("selftest", false, "run the protocol self-test against each -driver (or the built-in driver) instead")
	writeExpected := fs.Bool("write-expected", false, "rewrite expected-matrix.txt from the built-in profiles")
	writeTable := fs.Bool("write-table", false, "rewrite the rule → scenario table of rfc/peer-management.md")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := suiteDir(*dir)
	if err != nil {
		return err
	}
	if *selftest {
		return runSelfTests(drivers, stdout)
	}
	if *writeTable {
		if err := conformance.WriteRFCTable(root); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "rewrote the table of", filepath.Join(root, "..", "peer-management.md"))
	}
	if *writeExpected {
		return conformance.WriteExpectedMatrix(root)
	}
	if *writeTable {
		return nil
	}
	m, err := matrix(root, *builtin, drivers)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch *format {
	case "text":
		return m.WriteText(w, true)
	case "json":
		return m.WriteJSON(w)
	case "junit":
		return m.WriteJUnit(w)
	}
	return fmt.Errorf("unknown format %q", *format)
}

// matrix plays the suite against the built-in profiles and the drivers.
func matrix(root string, builtin bool, drivers []string) (conformance.Matrix, error) {
	files, vectors, err := conformance.LoadSuite(root)
	if err != nil {
		return conformance.Matrix{}, err
	}
	var cols []conformance.Column
	if builtin {
		bc, r, err := conformance.BuiltinColumns()
		if err != nil {
			return conformance.Matrix{}, err
		}
		defer r.Close()
		cols = append(cols, bc...)
	}
	for _, d := range drivers {
		r, err := conformance.StartRemote(d)
		if err != nil {
			return conformance.Matrix{}, err
		}
		defer r.Close()
		for _, c := range conformance.DriverColumns(r) {
			// A driver named like a built-in preset (the real js-waku next
			// to the js-waku preset) gets a column of its own.
			for slices.ContainsFunc(cols, func(o conformance.Column) bool { return o.Name == c.Name }) {
				c.Name += "-driver"
			}
			cols = append(cols, c)
		}
	}
	return conformance.BuildMatrix(conformance.RunAll(files, vectors, cols)), nil
}

func runSelfTests(drivers []string, stdout io.Writer) error {
	failed := false
	test := func(name string, r *conformance.Remote) {
		fmt.Fprintf(stdout, "self-test of %s (%s %s):\n", name, r.Hello.Implementation, r.Hello.Version)
		for _, c := range conformance.SelfTest(r) {
			if c.Err != nil {
				failed = true
				fmt.Fprintf(stdout, "  FAIL %s: %v\n", c.Case, c.Err)
			} else {
				fmt.Fprintf(stdout, "  ok   %s\n", c.Case)
			}
		}
		if s := r.Stderr(); failed && s != "" {
			fmt.Fprintf(stdout, "driver's standard error:\n%s\n", s)
		}
	}
	if len(drivers) == 0 {
		r, err := conformance.ServeRemote(conformance.BuiltinServer())
		if err != nil {
			return err
		}
		test("the built-in driver", r)
	}
	for _, d := range drivers {
		r, err := conformance.StartRemote(d)
		if err != nil {
			return err
		}
		test(d, r)
	}
	if failed {
		return errors.New("self-test failed")
	}
	return nil
}

// suiteDir finds rfc/conformance: the flag, or from the module root above
// the working directory.
func suiteDir(flagDir string) (string, error) {
	if flagDir != "" {
		return flagDir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/wakupm/wakupm\n")) {
			return filepath.Join(d, "rfc", "conformance"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("not inside the wakupm module: give -dir")
		}
	}
}
