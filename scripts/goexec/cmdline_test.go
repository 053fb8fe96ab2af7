// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestQuoteWord(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "plain", want: "plain"},
		{in: "-test.run=^TestX$", want: "-test.run=^TestX$"},
		{in: "a=b", want: "a=b"},
		{in: "--", want: "--"},
		{in: "ünïcode", want: "ünïcode"},
		{in: "", want: `""`},
		{in: "two words", want: `"two words"`},
		{in: "tab\there", want: "\"tab\there\""},
		{in: `say "hi"`, want: `"say \"hi\""`},
		{in: `it's`, want: `"it's"`},
		{in: `C:\dir`, want: `"C:\\dir"`},
		{in: `\"`, want: `"\\\""`},
		{in: "cr\r", want: "\"cr\r\""},
		{in: "bell\x07", want: "\"bell\x07\""},
		{in: "line\nbreak", wantErr: true},
		{in: "nul\x00", wantErr: true},
	}
	for _, tt := range tests {
		got, err := quoteWord(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("quoteWord(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("quoteWord(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// unquote is the parsing side of the command-line syntax, written from
// the description in cmdline.go, to check that every encoded line splits
// back into the words that went in.
func unquote(line string) (env, args []string) {
	var words []string
	for i := 0; i < len(line); {
		if line[i] == '"' {
			var w strings.Builder
			for i++; line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
				w.WriteByte(line[i])
			}
			words = append(words, w.String())
			i += 2 // closing quote and space
			continue
		}
		j := strings.IndexByte(line[i:], ' ')
		if j < 0 {
			j = len(line) - i
		}
		words = append(words, line[i:i+j])
		i += j + 1
	}
	for i, w := range words {
		if w == "--" {
			return words[:i], words[i+1:]
		}
	}
	return words, nil
}

func TestEncodeCmdline(t *testing.T) {
	tests := []struct {
		name      string
		env, args []string
		want      string
	}{
		{"no env", nil, []string{"/tmp/go-build1/b001/exe/hello", "a", "b"}, "-- /tmp/go-build1/b001/exe/hello a b"},
		{"env", []string{"GOGC=50", "TZ=Europe/Paris"}, []string{"x.test", "-test.v=true"}, "GOGC=50 TZ=Europe/Paris -- x.test -test.v=true"},
		{"quoted env value", []string{"MSG=hello world", "EMPTY="}, []string{"p"}, `"MSG=hello world" EMPTY= -- p`},
		{"args that look like syntax", nil, []string{"p", "--", "A=B", ""}, `-- p -- A=B ""`},
		{"quotes and backslashes", nil, []string{"p", `a"b`, `c\d`, "e f"}, `-- p "a\"b" "c\\d" "e f"`},
	}
	for _, tt := range tests {
		got, err := encodeCmdline(tt.env, tt.args)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: encodeCmdline =\n\t%s\nwant\n\t%s", tt.name, got, tt.want)
		}
		env, args := unquote(got)
		if diff := cmp.Diff(tt.env, env, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: env did not round-trip (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.args, args); diff != "" {
			t.Errorf("%s: args did not round-trip (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestEncodeCmdlineErrors(t *testing.T) {
	tests := []struct {
		name      string
		env, args []string
		wantInErr string
	}{
		{"newline in arg", nil, []string{"p", "a\nb"}, "argument 1"},
		{"NUL in arg", nil, []string{"p\x00"}, "argument 0"},
		{"newline in env", []string{"X=a\nb"}, []string{"p"}, "environment variable X"},
		{"env without =", []string{"NOVALUE"}, []string{"p"}, "not NAME=VALUE"},
		{"env with empty name", []string{"=x"}, []string{"p"}, "not NAME=VALUE"},
	}
	for _, tt := range tests {
		_, err := encodeCmdline(tt.env, tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.wantInErr)
		}
	}
}

func TestGuestEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		wantErr bool
	}{
		{"nothing set", map[string]string{"HOME": "/root", "PATH": "/bin"}, nil, false},
		{"runtime variables in fixed order", map[string]string{
			"TZ": "UTC", "GOGC": "off", "GODEBUG": "gctrace=1", "GOOS": "xen",
		}, []string{"GODEBUG=gctrace=1", "GOGC=off", "TZ=UTC"}, false},
		{"set but empty is passed", map[string]string{"GOTRACEBACK": ""}, []string{"GOTRACEBACK="}, false},
		{"MIRAGO_ENV adds names", map[string]string{
			"MIRAGO_ENV": "HOME, FOO,,GOGC", "HOME": "/root", "GOGC": "50",
		}, []string{"GOGC=50", "HOME=/root"}, false},
		{"MIRAGO_ENV with a bad name", map[string]string{"MIRAGO_ENV": "A=B"}, nil, true},
	}
	for _, tt := range tests {
		lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		got, err := guestEnv(lookup)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
}
