// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bufio"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The -insns mode counts what a boot costs under TCG rather than timing
// it: each VM boots once with QEMU's -d in_asm, which logs every guest
// instruction QEMU translates, as it translates it, and the log is cut
// where the first good GET came back. Under TCG a boot runs mostly code
// that runs once, and each such instruction costs its translation, so
// the count is the boot's work in a unit the machine's speed does not
// change. Code translated again (after its page changed, or after the
// translation cache was flushed) counts each time.
var (
	insnsMode = flag.Bool("insns", false, "instead of timing boots and loads, boot each VM once under QEMU's -d in_asm and report the guest instructions QEMU translated up to the program's first instruction, its main.main and the first response")
	linuxInit = flag.String("linux-init", "", "Linux VM: the ELF of its /init (linuxinit), for -insns")
)

// insnsResult is one VM's counts; a count is -1 where its point was
// not reached. own counts only the program's instructions up to the
// response: for the Linux VM its Go code in user space without the
// kernel's, for Mirago all of them but the firmware's.
type insnsResult struct {
	name                       string
	start, main, response, own int64
	skip, failure              string
}

// measureInsns boots t once with in_asm logging. program is the ELF
// whose text and main.main mark the first two points: the image itself
// for Mirago, /init for the Linux VM.
func measureInsns(t *target, program string) insnsResult {
	r := insnsResult{name: t.name, start: -1, main: -1, response: -1, own: -1}
	if t.skip != "" {
		r.skip = t.skip
		return r
	}
	text, mainFn, err := programRanges(program)
	if err != nil {
		r.failure = err.Error()
		return r
	}
	logPath := filepath.Join(*logDir, t.name+".in_asm")
	os.Remove(logPath)
	// QEMU's options go before -append and -initrd, which is where
	// they are in t.argv, so that the guest's command line stays last.
	t.argv = slices.Insert(slices.Clone(t.argv), 1, "-d", "in_asm", "-D", logPath)
	fmt.Fprintf(os.Stderr, "runner: %s: one boot with -d in_asm: ", t.name)
	defer fmt.Fprintln(os.Stderr)
	p, err := t.start(0)
	if err != nil {
		r.failure = fmt.Sprintf("cannot start: %v", err)
		return r
	}
	// Logging every translation slows the boot many times over.
	d, err := firstResponse(p, t.url(), t.poll, 10*t.timeout)
	// QEMU writes the log as it translates; what is in the file now is
	// what was translated by the response, give or take the attempts
	// in flight.
	st, statErr := os.Stat(logPath)
	p.stop()
	if err != nil {
		r.failure = err.Error()
		return r
	}
	if statErr != nil {
		r.failure = statErr.Error()
		return r
	}
	fmt.Fprintf(os.Stderr, "first response after %s (logging), ", fmtDur(d))
	f, err := os.Open(logPath)
	if err != nil {
		r.failure = err.Error()
		return r
	}
	defer f.Close()
	r.start, r.main, r.response, r.own, err = countTranslated(io.LimitReader(f, st.Size()), text, mainFn)
	if err != nil {
		r.failure = err.Error()
	}
	return r
}

// addrRange is [lo, hi).
type addrRange struct{ lo, hi uint64 }

func (a addrRange) has(x uint64) bool { return a.lo <= x && x < a.hi }

// programRanges returns the executable segment of the ELF file at path
// and its main.main.
func programRanges(path string) (text, mainFn addrRange, err error) {
	if path == "" {
		return text, mainFn, errors.New("no program to find main.main in")
	}
	f, err := elf.Open(path)
	if err != nil {
		return text, mainFn, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			text = addrRange{p.Vaddr, p.Vaddr + p.Memsz}
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		return text, mainFn, fmt.Errorf("%s: %v", path, err)
	}
	for _, s := range syms {
		if s.Name == "main.main" {
			mainFn = addrRange{s.Value, s.Value + s.Size}
		}
	}
	if text.hi == 0 || mainFn.hi == 0 {
		return text, mainFn, fmt.Errorf("%s: no executable segment or no main.main", path)
	}
	return text, mainFn, nil
}

// countTranslated reads an in_asm log, in which each translated
// instruction is a line "0xADDRESS:  bytes  mnemonic", and returns how
// many were translated before the first in text, before the first in
// mainFn (-1 for a point not reached), in all, and in text.
func countTranslated(r io.Reader, text, mainFn addrRange) (start, main, all, inText int64, err error) {
	start, main = -1, -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "0x") {
			continue
		}
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		addr, err := strconv.ParseUint(line[2:colon], 16, 64)
		if err != nil {
			continue
		}
		if text.has(addr) {
			if start < 0 {
				start = all
			}
			inText++
		}
		if main < 0 && mainFn.has(addr) {
			main = all
		}
		all++
	}
	return start, main, all, inText, sc.Err()
}

// runInsns is the -insns mode for the VMs selected by -only.
func runInsns(khz int, want []string) {
	fmt.Printf("\n## guest instructions QEMU translated in one boot (-d in_asm), up to each point\n\n")
	var rows []insnsResult
	for _, t := range []*target{linuxTarget(khz), miragoTarget(khz)} {
		if !slices.Contains(want, t.name) {
			continue
		}
		program := *linuxInit
		if t.name == "mirago" {
			program = *miragoImage
		}
		rows = append(rows, measureInsns(t, program))
	}
	count := func(n int64) string {
		if n < 0 {
			return "-"
		}
		return strconv.FormatInt(n, 10)
	}
	fmt.Printf("  %-16s %22s %16s %22s %26s\n", "target", "the program's start", "main.main", "the first response", "the program's own of them")
	for _, r := range rows {
		switch {
		case r.skip != "":
			fmt.Printf("  %-16s not run: %s\n", r.name, r.skip)
		case r.failure != "":
			fmt.Printf("  %-16s failed: %s\n", r.name, r.failure)
		default:
			fmt.Printf("  %-16s %22s %16s %22s %26s\n", r.name, count(r.start), count(r.main), count(r.response), count(r.own))
		}
	}
	if len(rows) == 2 && rows[0].response > 0 && rows[1].response > 0 {
		ratio := func(a, b int64) string {
			if a < 0 || b <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.3f", float64(a)/float64(b))
		}
		fmt.Printf("  %-16s %22s %16s %22s %26s\n", rows[1].name+"/"+rows[0].name,
			ratio(rows[1].start, rows[0].start), ratio(rows[1].main, rows[0].main), ratio(rows[1].response, rows[0].response), ratio(rows[1].own, rows[0].own))
	}
	fmt.Printf("\n(the program is Linux's /init, which is the server, or the Mirago image; its start is the first of its instructions translated; its own are those in its executable segment, which leaves out Linux's kernel but not Mirago's machine layer and network stack; the logs are in %s)\n", *logDir)
}
