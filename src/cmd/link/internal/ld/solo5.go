// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ld

import (
	"cmd/internal/objabi"
	"cmd/link/internal/loader"
	"debug/elf"
	"encoding/binary"
	"flag"
	"strconv"
)

// The two ELF notes a Solo5 tender reads from a GOOS=solo5 image before
// it loads it (Solo5's include/elf_abi.h and include/mft_abi.h; the
// definitions are also in mirago.dev/sys/solo5): the ABI note, which
// names the tender the image is built for, and the application
// manifest, which lists the devices it wants. A tender reads only the
// note at the start of each PT_NOTE, so each gets its own.

// flagSolo5 chooses the tender a GOOS=solo5 image is built for. It is a
// linker flag (go build -ldflags=-solo5=spt) rather than an environment
// variable so that the go command's build cache keys on it.
var flagSolo5 = flag.String("solo5", "spt", "Solo5 `tender` a GOOS=solo5 image is for: spt or hvt")

const (
	solo5NoteABI      = 0x31494241 // "ABI1"
	solo5NoteManifest = 0x3154464d // "MFT1"

	// Targets and ABI versions (enum abi_target; HVT_ABI_VERSION,
	// SPT_ABI_VERSION).
	solo5TargetHVT  = 1
	solo5TargetSPT  = 2
	solo5ABIVersion = 2

	// The ABI note's descriptor is struct abi1_info: target,
	// version and two reserved words.
	solo5ABIDescsz = 16

	// The manifest's descriptor is struct mft, which is 8-byte
	// aligned: it follows the 20-byte note header after 4 bytes of
	// padding, which n_descsz counts. An entry (struct mft_entry) is
	// 104 bytes, its type at offset 68.
	solo5ManifestPad       = 4
	solo5ManifestHeader    = 8
	solo5ManifestEntry     = 104
	solo5ManifestEntryType = 68

	// The type of the first manifest entry, which every manifest
	// has (MFT_RESERVED_FIRST).
	solo5ReservedFirst = 1 << 30
)

// solo5Name is the notes' owner, "Solo5" with its NUL, padded to 4.
var solo5Name = []byte("Solo5\x00\x00\x00")

// solo5Target returns the ABI target the image is linked for.
func solo5Target() uint32 {
	switch *flagSolo5 {
	case "spt":
		return solo5TargetSPT
	case "hvt":
		return solo5TargetHVT
	}
	Exitf("-solo5=%s: unknown Solo5 tender (want spt or hvt)", *flagSolo5)
	return 0
}

// solo5NetName is the name of the network device an image that links
// package net asks for: solo5-spt --net:service0=TAP attaches it.
// Solo5's own programs name their first interface the same way.
const solo5NetName = "service0"

// solo5BlockName is the name of the block device an image that names
// /dev/vda asks for: solo5-spt --block:storage=FILE attaches it.
const solo5BlockName = "storage"

// solo5DiskFile is the block device's file in the guest
// (internal/devices/disk_solo5.go).
const solo5DiskFile = "/dev/vda"

// solo5InitrdName is the block device a test binary asks for: a newc
// cpio archive that package syscall unpacks at boot, as a GOOS=xen
// guest unpacks its boot modules, and that the exec wrapper fills with
// the working directory, so that go test's tests read their testdata.
// solo5-spt --block:initrd=FILE attaches it.
const solo5InitrdName = "initrd"

// solo5Manifest returns the manifest's descriptor, padding included:
// version 1, the mandatory first entry and the devices the program
// needs. A program that links package net gets one NET_BASIC device,
// solo5NetName, which the runtime hands to the network stack; a
// program with the string solo5DiskFile among its constants (as
// os.OpenFile("/dev/vda", ...) has) gets one BLOCK_BASIC device,
// solo5BlockName, which package syscall offers as that file; a test
// binary (go test links it with -X testing.testBinary=1) gets the
// BLOCK_BASIC device solo5InitrdName. Other programs ask for no
// devices, so the tender needs no options to run them. The tender
// fills in each device's properties (MAC, MTU, capacity) and host
// descriptor when it attaches it; in the image they are zero.
func solo5Manifest(ctxt *Link) []byte {
	const (
		solo5DevBlockBasic = 1 // MFT_DEV_BLOCK_BASIC
		solo5DevNetBasic   = 2 // MFT_DEV_NET_BASIC
		solo5NameMax       = 67
	)
	type dev struct {
		name string
		typ  uint32
	}
	var devs []dev
	if ctxt.LibraryByPkg["net"] != nil {
		devs = append(devs, dev{solo5NetName, solo5DevNetBasic})
	}
	if solo5HasString(ctxt, solo5DiskFile) {
		devs = append(devs, dev{solo5BlockName, solo5DevBlockBasic})
	}
	if strdata["testing.testBinary"] == "1" {
		devs = append(devs, dev{solo5InitrdName, solo5DevBlockBasic})
	}
	entries := 1 + len(devs)
	b := make([]byte, solo5ManifestPad+solo5ManifestHeader+entries*solo5ManifestEntry)
	m := b[solo5ManifestPad:]
	binary.LittleEndian.PutUint32(m[0:], 1) // MFT_VERSION
	binary.LittleEndian.PutUint32(m[4:], uint32(entries))
	e := m[solo5ManifestHeader:]
	binary.LittleEndian.PutUint32(e[solo5ManifestEntryType:], solo5ReservedFirst)
	for _, d := range devs {
		e = e[solo5ManifestEntry:]
		if len(d.name) > solo5NameMax {
			Exitf("solo5 manifest: device name %q too long", d.name)
		}
		copy(e, d.name)
		binary.LittleEndian.PutUint32(e[solo5ManifestEntryType:], d.typ)
	}
	return b
}

// solo5HasString reports whether the program keeps the string s among
// its constants. String constants are content-addressed symbols, which
// the loader does not look up by name, so this walks the symbols.
func solo5HasString(ctxt *Link, s string) bool {
	name := "go:string." + strconv.Quote(s)
	ldr := ctxt.loader
	for i := loader.Sym(1); i < loader.Sym(ldr.NSym()); i++ {
		if ldr.AttrReachable(i) && ldr.SymName(i) == name {
			return true
		}
	}
	return false
}

// solo5Notes reserves room for the two notes below resoff, each with a
// PT_NOTE of its own, and returns the new resoff.
func solo5Notes(ctxt *Link, startva, resoff int64) int64 {
	if ctxt.HeadType != objabi.Hsolo5 || ctxt.LinkMode == LinkExternal {
		return resoff
	}
	solo5Target() // stop early on a bad -solo5
	for _, n := range []struct {
		name   string
		descsz int
	}{
		{".note.solo5.abi", solo5ABIDescsz},
		{".note.solo5.manifest", len(solo5Manifest(ctxt))},
	} {
		sh := elfshname(n.name)
		resoff -= int64(elfnote(sh, uint64(startva), uint64(resoff), len(solo5Name)+n.descsz))
		ph := newElfPhdr()
		ph.Type = elf.PT_NOTE
		ph.Flags = elf.PF_R
		phsh(ph, sh)
	}
	return resoff
}

// solo5WriteNotes writes the notes reserved by solo5Notes and returns
// the number of bytes written.
func solo5WriteNotes(ctxt *Link) int {
	if ctxt.HeadType != objabi.Hsolo5 {
		return 0
	}
	n := 0
	abi := make([]byte, solo5ABIDescsz)
	binary.LittleEndian.PutUint32(abi[0:], solo5Target())
	binary.LittleEndian.PutUint32(abi[4:], solo5ABIVersion)
	mft := solo5Manifest(ctxt)
	for _, note := range []struct {
		name string
		typ  uint32
		desc []byte
	}{
		{".note.solo5.abi", solo5NoteABI, abi},
		{".note.solo5.manifest", solo5NoteManifest, mft},
	} {
		sh := elfwritenotehdr(ctxt.Out, note.name, uint32(len("Solo5\x00")), uint32(len(note.desc)), note.typ)
		if sh == nil {
			continue
		}
		ctxt.Out.Write(solo5Name)
		ctxt.Out.Write(note.desc)
		n += int(sh.Size)
	}
	return n
}
