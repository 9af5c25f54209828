package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmm-go/gmm/internal/kernel"
)

// TestREADMEOutput runs the commands whose output the README shows and
// checks that the README shows what they print today. A README block is
// matched line by line against a run of the output's lines; a line "..."
// in the block stands for any number of lines. The blocks were printed by
// the AVX2 kernels, which the fits on amd64 use; other kernels round the
// last digits differently and can take another step, so there every
// number is masked and only the wording is compared.
func TestREADMEOutput(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The data files the README's commands read, by their paths there.
	files := map[string][]byte{}
	for _, f := range []string{"cmd/gmm/testdata/faithful.csv", "mv/testdata/faithful.csv"} {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	for _, tc := range []struct {
		name   string
		after  string // the README's text just before the block
		args   []string
		prompt bool // the block starts with the command, after "$ "
	}{
		{"quick start", "the notebook's prior, and prints", nil, false},
		{"posterior", "`go run ./cmd/gmm -posterior gibbs` adds", []string{"-posterior", "gibbs"}, false},
		{"several columns, posterior", "-covariance full -posterior gibbs` adds",
			strings.Fields("-csv mv/testdata/faithful.csv -columns eruptions,waiting -k 2 -covariance full -posterior gibbs"), false},
		{"several columns", "R's\n`faithful`):", strings.Fields("-csv cmd/gmm/testdata/faithful.csv -columns all"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := readmeBlock(t, string(readme), tc.after)
			if tc.prompt {
				if cmd := "$ gmm " + strings.Join(tc.args, " "); want[0] != cmd {
					t.Fatalf("the block starts with %q, want %q", want[0], cmd)
				}
				want = want[1:]
			}
			// The command runs in an empty directory holding the
			// README's data files at the paths the README gives, and
			// writes to the default gmm-out there.
			dir := t.TempDir()
			for f, b := range files {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			if err := run(tc.args, nil, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
			if !blockIn(want, got, kernel.Accelerated()) {
				t.Errorf("the README shows\n%s\nbut the command prints\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
		})
	}
}

// readmeBlock returns the lines of the first fenced block after the text
// after.
func readmeBlock(t *testing.T, readme, after string) []string {
	t.Helper()
	i := strings.Index(readme, after)
	if i < 0 {
		t.Fatalf("the README lacks %q", after)
	}
	rest := readme[i+len(after):]
	open := strings.Index(rest, "```\n")
	if open < 0 {
		t.Fatalf("no block after %q", after)
	}
	rest = rest[open+4:]
	end := strings.Index(rest, "```\n")
	if end < 0 {
		t.Fatalf("the block after %q is not closed", after)
	}
	return strings.Split(strings.TrimRight(rest[:end], "\n"), "\n")
}

// blockIn reports whether the lines of want appear as a run of the lines
// of got, a want line "..." (with any indentation) matching any number of
// got lines. With exact false, numbers are masked on both sides.
func blockIn(want, got []string, exact bool) bool {
	for start := range got {
		if matchFrom(want, got[start:], exact) {
			return true
		}
	}
	return false
}

func matchFrom(want, got []string, exact bool) bool {
	if len(want) == 0 {
		return true
	}
	if strings.TrimSpace(want[0]) == "..." {
		for skip := range len(got) + 1 {
			if matchFrom(want[1:], got[skip:], exact) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && sameLine(want[0], got[0], exact) && matchFrom(want[1:], got[1:], exact)
}

var numberPattern = regexp.MustCompile(`[-−]?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?`)

func sameLine(a, b string, exact bool) bool {
	if exact {
		return a == b
	}
	return numberPattern.ReplaceAllString(a, "#") == numberPattern.ReplaceAllString(b, "#")
}

func TestBlockIn(t *testing.T) {
	got := []string{"a", "b 1.25", "c", "d", "e 3"}
	for _, tc := range []struct {
		name  string
		want  []string
		exact bool
		in    bool
	}{
		{"run", []string{"b 1.25", "c"}, true, true},
		{"whole", got, true, true},
		{"elided", []string{"a", "  ...", "e 3"}, true, true},
		{"elided nothing", []string{"b 1.25", "...", "c"}, true, true},
		{"not a run", []string{"a", "c"}, true, false},
		{"other number", []string{"b 1.26"}, true, false},
		{"other number masked", []string{"b 1.26", "c"}, false, true},
		{"other word masked", []string{"b 1.25", "x"}, false, false},
		{"past the end", []string{"e 3", "f"}, true, false},
	} {
		if in := blockIn(tc.want, got, tc.exact); in != tc.in {
			t.Errorf("%s: blockIn(%q) = %v, want %v", tc.name, tc.want, in, tc.in)
		}
	}
}
