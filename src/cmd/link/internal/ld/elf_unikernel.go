// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ld

import (
	"cmd/internal/objabi"
	"debug/elf"
)

// ELF notes that make a GOOS=xen or GOOS=solo5 executable a bootable
// image (the Solo5 notes are in solo5.go). A loader finds each of them
// by walking the PT_NOTE segments and reading the note at the start of
// each, so every note gets a PT_NOTE of its own instead of sharing the
// one that holds the build IDs.

// Xen PVH entry note (xen/include/public/elfnote.h). A loader that finds
// it enters the image in 32-bit protected mode at the address it holds,
// with paging off and %ebx pointing at struct hvm_start_info. Xen, QEMU
// (-kernel), Firecracker and Cloud Hypervisor all look for it. The
// descriptor is 8 bytes wide as in Linux; loaders read the low 32 bits.
const (
	elfNoteXenPhys32Entry = 18
	elfNoteXenPVHDescsz   = 8
)

var elfNoteXenName = []byte("Xen\x00")

// elfunikernelnotes reserves room for the image's notes below resoff
// and gives each its own PT_NOTE. It returns the new resoff.
func elfunikernelnotes(ctxt *Link, startva int64, resoff int64) int64 {
	if ctxt.HeadType == objabi.Hsolo5 {
		return solo5Notes(ctxt, startva, resoff)
	}
	if ctxt.HeadType != objabi.Hxen || !ctxt.IsAMD64() || ctxt.LinkMode == LinkExternal {
		return resoff
	}
	sh := elfshname(".note.xen.pvh")
	n := len(elfNoteXenName) + elfNoteXenPVHDescsz
	resoff -= int64(elfnote(sh, uint64(startva), uint64(resoff), n))
	ph := newElfPhdr()
	ph.Type = elf.PT_NOTE
	ph.Flags = elf.PF_R
	phsh(ph, sh)
	return resoff
}

// elfwriteunikernelnotes writes the notes reserved by elfunikernelnotes
// and returns the number of bytes written.
func elfwriteunikernelnotes(ctxt *Link) int {
	if ctxt.HeadType == objabi.Hsolo5 {
		return solo5WriteNotes(ctxt)
	}
	if ctxt.HeadType != objabi.Hxen || !ctxt.IsAMD64() {
		return 0
	}
	sh := elfwritenotehdr(ctxt.Out, ".note.xen.pvh", uint32(len(elfNoteXenName)), elfNoteXenPVHDescsz, elfNoteXenPhys32Entry)
	if sh == nil {
		return 0
	}
	ctxt.Out.Write(elfNoteXenName)
	ctxt.Out.Write64(uint64(Entryvalue(ctxt)))
	return int(sh.Size)
}
