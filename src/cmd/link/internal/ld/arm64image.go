// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ld

import (
	"debug/elf"
	"encoding/binary"
	"os"
)

// A GOOS=xen image for arm64 is an arm64 Linux Image (Linux's
// Documentation/arch/arm64/booting.rst): a flat binary that starts with
// a 64-byte header, loaded at a 2 MiB-aligned base plus the header's
// text_offset and entered at its first byte with the MMU off and x0
// pointing at the device tree. It is the one kernel format that both
// Xen on Arm's domain builder (xl) and QEMU's -kernel accept with a
// device tree.
//
// Both put the image at the start of RAM plus text_offset, RAM starting
// at 0x40000000 on QEMU's virt machine and in a Xen domain; QEMU adds
// 2 MiB when text_offset is below 4 KiB, where its own boot code sits.
// With a text_offset of 2 MiB the image runs at the same address under
// both, so it is linked there and needs no relocation.
const (
	arm64RAMBase    = 0x40000000
	arm64TextOffset = 0x200000

	// Arm64ImageBase is where the image, header first, is linked.
	Arm64ImageBase = arm64RAMBase + arm64TextOffset
)

// Fields of the header.
const (
	arm64HdrCode0      = 0x00 // a branch to the entry point
	arm64HdrTextOffset = 0x08
	arm64HdrImageSize  = 0x10 // bytes from the base that the image uses, BSS included
	arm64HdrFlags      = 0x18
	arm64HdrMagic      = 0x38 // "ARM\x64"
	arm64HdrSize       = 0x40

	// Little-endian kernel, 4 KiB pages.
	arm64HdrFlagsValue = 1 << 1
)

// arm64Image rewrites the ELF executable the linker has written as an
// arm64 Image: each loadable segment at its address less the base, the
// gaps zero, and the header over the first bytes, which hold the ELF
// header (nothing reads it at run time).
func arm64Image(ctxt *Link) {
	name := *flagOutfile
	f, err := elf.Open(name)
	if err != nil {
		Exitf("arm64 image: %v", err)
	}
	defer f.Close()
	var fileEnd, memEnd uint64
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Vaddr < Arm64ImageBase {
			Exitf("arm64 image: segment at %#x, below the image base %#x", p.Vaddr, Arm64ImageBase)
		}
		fileEnd = max(fileEnd, p.Vaddr+p.Filesz-Arm64ImageBase)
		memEnd = max(memEnd, p.Vaddr+p.Memsz-Arm64ImageBase)
	}
	img := make([]byte, fileEnd)
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		if _, err := p.ReadAt(img[p.Vaddr-Arm64ImageBase:p.Vaddr-Arm64ImageBase+p.Filesz], 0); err != nil {
			Exitf("arm64 image: reading a segment: %v", err)
		}
	}
	entry := f.Entry - Arm64ImageBase
	if entry%4 != 0 || entry >= 1<<27 {
		Exitf("arm64 image: entry point %#x out of a branch's reach", f.Entry)
	}
	clear(img[:arm64HdrSize])
	le := binary.LittleEndian
	le.PutUint32(img[arm64HdrCode0:], 0x14000000|uint32(entry/4)) // B entry
	le.PutUint64(img[arm64HdrTextOffset:], arm64TextOffset)
	le.PutUint64(img[arm64HdrImageSize:], memEnd)
	le.PutUint64(img[arm64HdrFlags:], arm64HdrFlagsValue)
	copy(img[arm64HdrMagic:], "ARM\x64")
	if err := os.WriteFile(name, img, 0o777); err != nil {
		Exitf("arm64 image: %v", err)
	}
}
