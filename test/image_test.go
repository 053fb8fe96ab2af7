// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/x86/x86asm"
	"mirago.dev/sys/pvh"
)

var (
	helloOnce sync.Once
	helloDir  string
	helloErr  []string
)

// helloImages builds examples/hello for xen/amd64 and, as the control
// for the audit, for linux/amd64, once for all tests.
func helloImages(t *testing.T) (xen, linux string) {
	t.Helper()
	helloOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mirago-hello-")
		if err != nil {
			t.Fatal(err)
		}
		helloDir = dir
		registerCleanup(dir)
		for _, port := range []string{"xen/amd64", "linux/amd64"} {
			out := filepath.Join(dir, "hello."+strings.Split(port, "/")[0])
			if r := mgo(t, repoRoot(t), port, "build", "-o", out, "./examples/hello"); r.code != 0 {
				helloErr = append(helloErr, fmt.Sprintf("building examples/hello for %s failed:\n%s", port, r))
			}
		}
	})
	if helloErr != nil {
		t.Fatal(strings.Join(helloErr, "\n"))
	}
	return filepath.Join(helloDir, "hello.xen"), filepath.Join(helloDir, "hello.linux")
}

// TestImageOnHost: an image executed on the Linux host, by mistake,
// says what it is in one line and exits 126 rather than crashing.
func TestImageOnHost(t *testing.T) {
	img, _ := helloImages(t)
	r := run(t, t.TempDir(), env(t), img, "arg")
	want := "this is a GOOS=xen image, not a Linux program: boot it with go_xen_amd64_exec IMAGE (QEMU; in $GOROOT/bin) or xl create (Xen)\n"
	if r.code != 126 || r.stdout != "" || r.stderr != want {
		t.Errorf("exit status %d, want 126, and stderr %q, want %q:\n%s", r.code, r.stderr, want, r)
	}
}

// TestPVHNote checks the image the way a PVH loader reads it.
func TestPVHNote(t *testing.T) {
	xen, _ := helloImages(t)
	checkPVHImage(t, xen)
}

// checkPVHImage checks the PVH note and the load segments of the image
// at path.
func checkPVHImage(t *testing.T, path string) {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		t.Errorf("image is %v %v %v, want ELFCLASS64 EM_X86_64 ET_EXEC", f.Class, f.Machine, f.Type)
	}

	// Loaders look at the first note of each PT_NOTE (Solo5's tenders
	// read nothing else), so the PVH note must open a segment.
	found := false
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			t.Fatalf("reading PT_NOTE at offset %#x: %v", p.Off, err)
		}
		notes, err := pvh.ParseNotes(data)
		if err != nil {
			t.Errorf("PT_NOTE at offset %#x: %v (% x)", p.Off, err, data)
			continue
		}
		if len(notes) == 0 || notes[0].Name != pvh.NoteName || notes[0].Type != pvh.NotePhys32Entry {
			continue
		}
		found = true
		entry, _, err := pvh.Phys32Entry(notes[:1])
		if err != nil {
			t.Errorf("PVH note descriptor % x: %v", notes[0].Desc, err)
		} else if uint64(entry) != f.Entry {
			t.Errorf("PVH entry %#x, ELF entry %#x; want them equal", entry, f.Entry)
		}
		// QEMU (hw/i386/x86.c, read_pvh_start_addr) finds the
		// descriptor at 12 + align(namesz, p_align) and, for an
		// ELF64 image, reads 8 bytes there.
		namesz := uint64(data[0]) | uint64(data[1])<<8
		align := max(p.Align, 1)
		off := 12 + (namesz+align-1)/align*align
		if off+8 > uint64(len(data)) {
			t.Errorf("QEMU would read the PVH entry past the note (offset %d of %d bytes, p_align %d)", off, len(data), p.Align)
		} else if got := leUint64(data[off:]); got != f.Entry {
			t.Errorf("QEMU would read PVH entry %#x (offset %d, p_align %d), want %#x", got, off, p.Align, f.Entry)
		}
	}
	if !found {
		t.Errorf("no PT_NOTE starts with the Xen PHYS32_ENTRY note")
	}

	if f.Entry < 0x100000 || f.Entry >= 1<<32 {
		t.Errorf("entry %#x is not in [1 MiB, 4 GiB)", f.Entry)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Vaddr < 0x100000 || p.Paddr < 0x100000 {
			t.Errorf("PT_LOAD at vaddr %#x paddr %#x is below 1 MiB", p.Vaddr, p.Paddr)
		}
		if p.Flags&elf.PF_W != 0 && p.Flags&elf.PF_X != 0 {
			t.Errorf("PT_LOAD at %#x is writable and executable (%v)", p.Vaddr, p.Flags)
		}
	}
	if t.Failed() {
		t.Logf("program headers:\n%s", progTable(f))
	}
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func progTable(f *elf.File) string {
	var b strings.Builder
	for _, p := range f.Progs {
		fmt.Fprintf(&b, "\t%-10v off %#08x vaddr %#010x paddr %#010x filesz %#08x memsz %#08x %v align %#x\n",
			p.Type, p.Off, p.Vaddr, p.Paddr, p.Filesz, p.Memsz, p.Flags, p.Align)
	}
	return b.String()
}

// A finding is one forbidden instruction.
type finding struct {
	addr uint64
	fn   string
	inst string
}

func (f finding) String() string { return fmt.Sprintf("%#x in %s: %s", f.addr, f.fn, f.inst) }

// forbidden reports whether inst enters a host kernel: a Mirago image
// runs on bare (virtual) hardware, where these instructions only fault.
func forbidden(inst x86asm.Inst) bool {
	switch inst.Op {
	case x86asm.SYSCALL, x86asm.SYSENTER:
		return true
	case x86asm.INT:
		imm, ok := inst.Args[0].(x86asm.Imm)
		return ok && imm == 0x80
	}
	return false
}

// auditSyscalls disassembles the .text section of the ELF file at path
// and returns every forbidden instruction. It decodes each function
// from its symbol's address, so that instructions are read at their real
// boundaries, and the bytes outside any function linearly; after a
// decoding error it resynchronizes one byte further.
func auditSyscalls(path string) ([]finding, error) {
	f, text, code, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fns := textFuncs(f, text) // an image without symbols is swept linearly
	nameAt := func(addr uint64) string { return funcAt(fns, addr) }
	fns = append(fns, textFunc{text.Addr + text.Size, ""}) // sentinel

	var found []finding
	next := 0 // index in fns of the next function start
	for off := uint64(0); off < uint64(len(code)); {
		addr := text.Addr + off
		for next < len(fns) && fns[next].addr <= addr {
			next++
		}
		limit := uint64(len(code))
		if next < len(fns) {
			limit = fns[next].addr - text.Addr // never decode across a function start
		}
		inst, err := x86asm.Decode(code[off:limit], 64)
		if err != nil || inst.Len == 0 {
			off++
			continue
		}
		if forbidden(inst) {
			found = append(found, finding{addr, nameAt(addr), x86asm.GNUSyntax(inst, addr, nil)})
		}
		off += uint64(inst.Len)
	}
	return found, nil
}

// openText opens the ELF file at path and reads its .text section.
// The caller closes f.
func openText(path string) (f *elf.File, text *elf.Section, code []byte, err error) {
	f, err = elf.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	text = f.Section(".text")
	if text == nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("%s has no .text section", path)
	}
	if code, err = text.Data(); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return f, text, code, nil
}

// A textFunc is a function's start in an image's .text section.
type textFunc struct {
	addr uint64
	name string
}

// textFuncs returns the functions in f's section text that its symbol
// table names, by address; none if it has no symbol table.
func textFuncs(f *elf.File, text *elf.Section) []textFunc {
	var fns []textFunc
	syms, _ := f.Symbols()
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value >= text.Addr && s.Value < text.Addr+text.Size {
			fns = append(fns, textFunc{s.Value, s.Name})
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].addr < fns[j].addr })
	return fns
}

// funcAt returns the name of the function in fns that holds addr, or
// "?".
func funcAt(fns []textFunc, addr uint64) string {
	i := sort.Search(len(fns), func(i int) bool { return fns[i].addr > addr })
	if i == 0 {
		return "?"
	}
	return fns[i-1].name
}

// TestImageAudit proves that the xen image makes no Linux system calls.
func TestImageAudit(t *testing.T) {
	xen, linux := helloImages(t)

	// The control: the same program for linux/amd64 must be caught, or
	// the audit proves nothing.
	hits, err := auditSyscalls(linux)
	if err != nil {
		t.Fatalf("auditing the linux/amd64 control: %v", err)
	}
	sawSyscall := false
	for _, h := range hits {
		sawSyscall = sawSyscall || strings.HasPrefix(h.inst, "syscall")
	}
	if !sawSyscall {
		t.Errorf("the audit found no SYSCALL in the linux/amd64 build of hello (findings %v): it cannot be trusted", hits)
	} else {
		t.Logf("control: %d forbidden instructions in the linux/amd64 build, e.g. %v", len(hits), hits[0])
	}

	hits, err = auditSyscalls(xen)
	if err != nil {
		t.Fatalf("auditing the xen/amd64 image: %v", err)
	}
	// hostedExit's two, write and exit_group, run only when the
	// image is executed as a Linux program (TestImageOnHost).
	hosted := 0
	hits = slices.DeleteFunc(hits, func(h finding) bool {
		if strings.TrimSuffix(h.fn, ".abi0") == "runtime.hostedExit" && h.inst == "syscall" {
			hosted++
			return true
		}
		return false
	})
	if hosted != 2 {
		t.Errorf("%d SYSCALLs in runtime.hostedExit, want 2 (write and exit_group, for a run on a Linux host)", hosted)
	}
	for i, h := range hits {
		if i == 20 {
			t.Errorf("... and %d more", len(hits)-i)
			break
		}
		t.Errorf("forbidden instruction in the xen/amd64 image: %v", h)
	}
}

// TestHelloInEightMiB: examples/hello runs in a machine of 8 MiB on one,
// two and four CPUs (issue 16 keeps it there), and with 7 MiB says in
// one line that the memory is too little.
func TestHelloInEightMiB(t *testing.T) {
	img, _ := helloImages(t)
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	for _, smp := range []string{"1", "2", "4"} {
		r := run(t, t.TempDir(), env(t, "MIRAGO_NOMOUNT=1", "MIRAGO_MEM=8M", "MIRAGO_SMP="+smp), wrapper, img, "a")
		if want := "Hello from Mirago!\nrunning on xen/amd64 with 1 arguments\narg 1: \"a\"\n"; r.code != 0 || r.stdout != want {
			t.Errorf("8 MiB, %s CPUs: want status 0 and %q:\n%s", smp, want, r)
		}
	}
	r := run(t, t.TempDir(), env(t, "MIRAGO_NOMOUNT=1", "MIRAGO_MEM=7M"), wrapper, img, "a")
	if want := "xen: less than 4 MiB of free RAM after the image\n"; r.code != 2 || r.stdout != want {
		t.Errorf("7 MiB: want status 2 and %q:\n%s", want, r)
	}
}
