// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GOOS=solo5 GOARCH=arm64 images, checked with the genuine Solo5
// v0.12.1 elftool built for aarch64 (scripts/solo5-tenders.sh arm64)
// and run under qemu-user: elftool accepts only images of the machine
// it was compiled for. The tenders run such images only on an arm64
// host, which TestSolo5Arm64Tenders (solo5armkvm_test.go) boots in
// QEMU.

// solo5ElftoolArm64 returns the command that runs the aarch64
// solo5-elftool: qemu-aarch64 and the tool's path.
func solo5ElftoolArm64(t *testing.T) []string {
	t.Helper()
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		t.Fatalf("no qemu-aarch64 to run Solo5's arm64 elftool (scripts/deps.sh installs qemu-user): %v", err)
	}
	return []string{qemu, filepath.Join(solo5TendersFor(t, "arm64"), "solo5-elftool")}
}

// buildSolo5Arm64 builds the program in progs/dir for solo5/arm64 with
// the extra go build flags and returns the image's path.
func buildSolo5Arm64(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), filepath.Base(dir)+".solo5")
	args := append(append([]string{"build"}, flags...), "-o", img, "./"+dir)
	if r := mgo(t, progsDir(t), "solo5/arm64", args...); r.code != 0 {
		t.Fatalf("GOOS=solo5 GOARCH=arm64 go build %s failed:\n%s", strings.Join(flags, " "), r)
	}
	return img
}

// TestSolo5Arm64Image checks solo5/arm64 images as the tenders would
// see them: the ABI note for spt and hvt and the manifest, read back by
// Solo5's own elftool; the segments against the rules of the tenders'
// ELF loader (tenders/common/elf.c); the system calls against spt's
// seccomp filter; and, run as a Linux program (under qemu-user), the
// one line an image prints when it is not under a tender.
func TestSolo5Arm64Image(t *testing.T) {
	elftool := solo5ElftoolArm64(t)
	query := func(what, img string) result {
		return run(t, "", env(t), elftool[0], elftool[1], what, img)
	}

	img := buildSolo5Arm64(t, "exitargs")
	r := query("query-abi", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"target": "spt"`) || !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("want ABI target spt, version 2:\n%s", r)
	}
	r = query("query-manifest", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"version": 1`) || strings.Contains(r.stdout, `"name"`) {
		t.Errorf("want an empty manifest (version 1, no devices):\n%s", r)
	}
	hvtImg := buildSolo5Arm64(t, "exitargs", "-ldflags=-solo5=hvt")
	r = query("query-abi", hvtImg)
	if r.code != 0 || !strings.Contains(r.stdout, `"target": "hvt"`) || !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("want ABI target hvt, version 2:\n%s", r)
	}
	netImg := buildSolo5Arm64(t, "netprobe")
	r = query("query-manifest", netImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "service0"`) || !strings.Contains(r.stdout, `"type": "NET_BASIC"`) {
		t.Errorf("want one NET_BASIC device, service0, in netprobe's manifest:\n%s", r)
	}
	diskImg := buildSolo5Arm64(t, "devprobe")
	r = query("query-manifest", diskImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "storage"`) || !strings.Contains(r.stdout, `"type": "BLOCK_BASIC"`) {
		t.Errorf("want one BLOCK_BASIC device, storage, in devprobe's manifest:\n%s", r)
	}
	testImg := filepath.Join(t.TempDir(), "strconv.test")
	if r := mgo(t, progsDir(t), "solo5/arm64", "test", "-c", "-o", testImg, "strconv"); r.code != 0 {
		t.Fatalf("GOOS=solo5 GOARCH=arm64 go test -c failed:\n%s", r)
	}
	r = query("query-manifest", testImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "initrd"`) {
		t.Errorf("want one BLOCK_BASIC device, initrd, in a test binary's manifest:\n%s", r)
	}

	for _, p := range []string{img, hvtImg, netImg, testImg} {
		if err := solo5LoaderRules(p); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}

	// The only system calls are spt's, in sys_solo5_arm64.s, and
	// hostedExit's two; no HVC or SMC.
	checkTraps(t, auditArm64Traps, "svc", sptCallers(), []auditCase{
		{img, 9},
		{netImg, 11},
		{hvtImg, 9},
	})

	// Run on an arm64 Linux host (here under qemu-user), the image
	// says what it is.
	r = run(t, "", env(t), elftool[0], img)
	if r.code != 126 || !strings.Contains(r.stderr, "this is a GOOS=solo5 image") || !strings.Contains(r.stderr, "go_solo5_arm64_exec") {
		t.Errorf("want exit status 126 and a message naming go_solo5_arm64_exec, run as a host program:\n%s", r)
	}
}

// solo5LoaderRules checks the image at path against what the Solo5
// tenders' ELF loader requires of an aarch64 image: an ET_EXEC for
// EM_AARCH64 whose PT_LOAD segments are in ascending order, start at or
// above 1 MiB (HVT_GUEST_MIN_BASE) even when aligned down to p_align,
// have p_align a power of two and no larger than would move them below
// it, and are never writable and executable at once.
func solo5LoaderRules(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Type != elf.ET_EXEC || f.Machine != elf.EM_AARCH64 {
		return fmt.Errorf("%v %v %v %v, want a little-endian ELF64 ET_EXEC for EM_AARCH64", f.Class, f.Data, f.Type, f.Machine)
	}
	var last uint64
	loads := 0
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		loads++
		if p.Align == 0 || p.Align&(p.Align-1) != 0 {
			return fmt.Errorf("PT_LOAD at %#x: p_align %#x is not a power of two\n%s", p.Vaddr, p.Align, progTable(f))
		}
		if start := p.Vaddr &^ (p.Align - 1); start < 0x100000 {
			return fmt.Errorf("PT_LOAD at %#x starts below 1 MiB when aligned to %#x\n%s", p.Vaddr, p.Align, progTable(f))
		}
		if p.Vaddr < last {
			return fmt.Errorf("PT_LOAD at %#x is not in ascending order\n%s", p.Vaddr, progTable(f))
		}
		last = p.Vaddr
		if p.Flags&elf.PF_W != 0 && p.Flags&elf.PF_X != 0 {
			return fmt.Errorf("PT_LOAD at %#x is writable and executable\n%s", p.Vaddr, progTable(f))
		}
		if p.Vaddr%4096 != p.Off%4096 {
			return fmt.Errorf("PT_LOAD at %#x: offset %#x not congruent modulo the 4 KiB page\n%s", p.Vaddr, p.Off, progTable(f))
		}
	}
	if loads == 0 {
		return fmt.Errorf("no PT_LOAD segment")
	}
	if f.Entry < 0x100000 {
		return fmt.Errorf("entry %#x below 1 MiB", f.Entry)
	}
	return nil
}

// auditArm64Traps returns every instruction in the .text section of the
// arm64 ELF file at path that enters a more privileged level: SVC (a
// Linux system call under spt), HVC and SMC. arm64 instructions are 4
// bytes and aligned, so the section is read a word at a time.
func auditArm64Traps(path string) ([]finding, error) {
	f, text, code, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Symbols(); err != nil {
		return nil, fmt.Errorf("%s has no symbols: %v", path, err)
	}
	fns := textFuncs(f, text)
	var found []finding
	for off := 0; off+4 <= len(code); off += 4 {
		w := binary.LittleEndian.Uint32(code[off:])
		// SVC, HVC and SMC #imm16: 1101 0100 000 imm16 000 LL,
		// LL = 01, 10, 11.
		if w&0xffe0001c != 0xd4000000 || w&3 == 0 {
			continue
		}
		addr := text.Addr + uint64(off)
		found = append(found, finding{addr, funcAt(fns, addr), [4]string{"", "svc", "hvc", "smc"}[w&3]})
	}
	return found, nil
}
