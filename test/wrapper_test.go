// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mirago.dev/sys/pvh"
)

// These tests boot tiny hand-assembled PVH images instead of Go
// programs, so that the exec wrapper's contract with QEMU (command line,
// console, exit status, timeout) is checked independently of the
// runtime. Each image is a few bytes of 32-bit code at the PVH entry,
// where the CPU is in protected mode with paging off and %ebx holds the
// physical address of struct hvm_start_info.

const fixtureBase = 0x100000 // where the image is loaded, as Go images are

// pvhELF returns an ELF64 image whose only PT_LOAD maps the whole file
// at fixtureBase, with a PT_NOTE holding the PVH entry note. code runs
// at the entry point; codeAddr is its address, for code that needs
// absolute addresses.
func pvhELF(code func(codeAddr uint32) []byte) []byte {
	const ehsize, phsize, nph = 64, 56, 2
	noteOff := ehsize + phsize*nph
	noteLen := len(pvh.AppendNote(nil, pvh.Note{Name: pvh.NoteName, Desc: make([]byte, 8)}))
	codeOff := noteOff + noteLen
	entry := uint32(fixtureBase + codeOff)
	body := code(entry)
	note := pvh.AppendNote(nil, pvh.Note{
		Name: pvh.NoteName,
		Type: pvh.NotePhys32Entry,
		Desc: binary.LittleEndian.AppendUint64(nil, uint64(entry)),
	})
	size := uint64(codeOff + len(body))

	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Entry: uint64(entry), Phoff: ehsize, Ehsize: ehsize, Phentsize: phsize, Phnum: nph,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	progs := []elf.Prog64{
		{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Off: 0,
			Vaddr: fixtureBase, Paddr: fixtureBase, Filesz: size, Memsz: size, Align: 0x1000},
		{Type: uint32(elf.PT_NOTE), Flags: uint32(elf.PF_R), Off: uint64(noteOff),
			Vaddr: fixtureBase + uint64(noteOff), Paddr: fixtureBase + uint64(noteOff),
			Filesz: uint64(len(note)), Memsz: uint64(len(note)), Align: 4},
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, hdr)
	binary.Write(&b, binary.LittleEndian, progs)
	b.Write(note)
	b.Write(body)
	return b.Bytes()
}

// echoExit prints the kernel command line and a newline on COM1 and
// exits through isa-debug-exit with status.
func echoExit(status uint32) func(uint32) []byte {
	return func(uint32) []byte {
		code := []byte{
			0xfc,             // cld
			0x8b, 0x73, 0x18, // mov esi, [ebx+24]   ; hvm_start_info.cmdline_paddr
			0x66, 0xba, 0xf8, 0x03, // mov dx, 0x3f8  ; COM1 THR (QEMU's 16550 never makes us wait)
			0xac,       // 1: lodsb
			0x84, 0xc0, //    test al, al
			0x74, 0x03, //    jz 2f
			0xee,       //    out dx, al
			0xeb, 0xf8, //    jmp 1b
			0xb0, 0x0a, // 2: mov al, '\n'
			0xee,                   // out dx, al
			0x66, 0xba, 0xf4, 0x00, // mov dx, 0xf4     ; isa-debug-exit
			0xb8, 0, 0, 0, 0, // mov eax, status
			0xef, // out dx, eax           ; QEMU exits with (status<<1)|1
		}
		binary.LittleEndian.PutUint32(code[24:], status)
		return append(code, halt...)
	}
}

// halt stops the CPU for good: interrupts off, then HLT in a loop.
var halt = []byte{0xfa, 0xf4, 0xeb, 0xfd} // cli; 1: hlt; jmp 1b

// tripleFault loads an empty IDT and executes UD2: the #UD cannot be
// delivered, nor the #DF after it, so the CPU shuts down, which QEMU
// with -no-reboot turns into an exit with status 0.
func tripleFault(codeAddr uint32) []byte {
	code := []byte{
		0x0f, 0x01, 0x1d, 0, 0, 0, 0, // lidt [idtr]
		0x0f, 0x0b, // ud2
	}
	binary.LittleEndian.PutUint32(code[3:], codeAddr+uint32(len(code)))
	return append(code, 0, 0, 0, 0, 0, 0) // idtr: limit 0, base 0
}

func writeImage(t *testing.T, name string, img []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, img, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWrapperWithPVHFixtures(t *testing.T) {
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	tests := []struct {
		name       string
		code       func(uint32) []byte
		args       []string
		env        []string
		wantStatus int
		wantStdout func(image string) string
		wantStderr string // substring
	}{
		{
			name: "arguments and status 3", code: echoExit(3),
			args: []string{"a", "two words", `q"uote`, ""}, wantStatus: 3,
			wantStdout: func(img string) string { return `tsc_khz=2000000 -- ` + img + ` a "two words" "q\"uote" ""` + "\n" },
		},
		{
			name: "environment and status 0", code: echoExit(0),
			env: []string{"GOGC=50", "TZ=UTC", "MIRAGO_ENV=HOME,UNSET", "HOME=/root"}, wantStatus: 0,
			wantStdout: func(img string) string { return "GOGC=50 TZ=UTC HOME=/root tsc_khz=2000000 -- " + img + "\n" },
		},
		{
			name: "status 127", code: echoExit(127), wantStatus: 127,
			wantStdout: func(img string) string { return "tsc_khz=2000000 -- " + img + "\n" },
		},
		{
			name: "triple fault", code: tripleFault, wantStatus: 125,
			wantStdout: func(string) string { return "" },
			wantStderr: "go_xen_amd64_exec: the guest stopped without reporting an exit status",
		},
		{
			name: "timeout", code: func(uint32) []byte { return halt },
			env: []string{"MIRAGO_TIMEOUT=2s"}, wantStatus: 124,
			wantStdout: func(string) string { return "" },
			wantStderr: "did not finish within 2s (MIRAGO_TIMEOUT); killed QEMU",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := writeImage(t, "fixture", pvhELF(tt.code))
			e := env(t)
			for _, kv := range []string{"GOGC", "TZ", "HOME", "GODEBUG", "GOMEMLIMIT", "GOMAXPROCS", "GOTRACEBACK"} {
				e = unset(e, kv)
			}
			// The fixtures echo the command line, which compares exactly;
			// mounting the working directory would add PWD to it
			// (files_test.go tests the mount). The wrapper states the
			// TSC frequency it is given.
			e = append(e, "MIRAGO_NOMOUNT=1", "MIRAGO_TSC_KHZ=2000000")
			r := run(t, t.TempDir(), append(e, tt.env...), wrapper, append([]string{img}, tt.args...)...)
			if r.code != tt.wantStatus {
				t.Errorf("exit status %d, want %d:\n%s", r.code, tt.wantStatus, r)
			}
			if want := tt.wantStdout(img); r.stdout != want {
				t.Errorf("console %q, want %q:\n%s", r.stdout, want, r)
			}
			if tt.wantStderr == "" && r.stderr != "" || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q:\n%s", r.stderr, tt.wantStderr, r)
			}
		})
	}
}

// unset removes name from e.
func unset(e []string, name string) []string {
	var out []string
	for _, kv := range e {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
