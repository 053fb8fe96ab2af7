// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"strings"
)

// The kernel command line carries the program's environment and
// arguments into the guest, where the runtime splits it again:
//
//	[NAME=VALUE ...] -- ARGV0 ARGS...
//
// Words are separated by single spaces. Words before the first "--" are
// environment variables; the words after it are os.Args. The wrapper
// always writes the "--", so an argument that is itself "--" (or looks
// like NAME=VALUE) reaches the program as an argument.
//
// A word that is empty or holds a space, tab, quote, backslash or other
// control character is written in double quotes, with " and \ escaped by
// a backslash. Inside quotes nothing else is special. Newline and NUL
// cannot be carried at all (the loader ends the line at NUL, and a
// newline would be the only character whose quoting the runtime would
// need to know about), so words holding them are rejected.

// encodeCmdline returns the command line for env (NAME=VALUE pairs) and
// args (argv[0] first).
func encodeCmdline(env, args []string) (string, error) {
	words := make([]string, 0, len(env)+1+len(args))
	for _, kv := range env {
		if i := strings.IndexByte(kv, '='); i <= 0 {
			return "", fmt.Errorf("environment entry %q is not NAME=VALUE", kv)
		}
		w, err := quoteWord(kv)
		if err != nil {
			return "", fmt.Errorf("environment variable %s: %v", kv[:strings.IndexByte(kv, '=')], err)
		}
		words = append(words, w)
	}
	words = append(words, "--")
	for i, a := range args {
		w, err := quoteWord(a)
		if err != nil {
			return "", fmt.Errorf("argument %d (%q): %v", i, a, err)
		}
		words = append(words, w)
	}
	return strings.Join(words, " "), nil
}

// quoteWord returns w as one command-line word.
func quoteWord(w string) (string, error) {
	if strings.ContainsAny(w, "\n\x00") {
		return "", fmt.Errorf("contains a newline or NUL, which the kernel command line cannot carry")
	}
	if w != "" && !strings.ContainsFunc(w, needsQuote) {
		return w, nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(w); i++ {
		if w[i] == '"' || w[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(w[i])
	}
	b.WriteByte('"')
	return b.String(), nil
}

func needsQuote(r rune) bool {
	switch r {
	case ' ', '"', '\'', '\\':
		return true
	}
	return r < 0x20 || r == 0x7f
}

// forwardedEnv lists the variables passed to the guest whenever they are
// set: those the Go runtime and time package read at startup, and the
// network settings of internal/netstack.
var forwardedEnv = []string{"GODEBUG", "GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GOTRACEBACK", "TZ", "MIRAGO_IP", "MIRAGO_DNS"}

// guestEnv returns the NAME=VALUE pairs to pass to the guest: each set
// variable of forwardedEnv, then each variable named in $MIRAGO_ENV (a
// comma-separated list) that is set, in that order and without
// duplicates.
func guestEnv(lookup func(string) (string, bool)) ([]string, error) {
	names := append([]string(nil), forwardedEnv...)
	if list, _ := lookup("MIRAGO_ENV"); list != "" {
		for _, n := range strings.Split(list, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if strings.ContainsAny(n, "= \t\"'\\") {
				return nil, fmt.Errorf("MIRAGO_ENV: %q is not a variable name", n)
			}
			names = append(names, n)
		}
	}
	seen := make(map[string]bool)
	var env []string
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if v, ok := lookup(n); ok {
			env = append(env, n+"="+v)
		}
	}
	return env, nil
}
