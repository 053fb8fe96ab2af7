// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package pvh defines the x86 PVH boot ABI ("x86/HVM direct boot ABI"):
// the start-of-day structure a loader passes in %ebx and the ELF note
// that names the 32-bit entry point.
//
// The facts come from Xen's public headers, which are the reference for
// every PVH loader (Xen, QEMU -kernel, Firecracker, Cloud Hypervisor):
//
//	xen/include/public/arch-x86/hvm/start_info.h	struct hvm_start_info,
//		struct hvm_modlist_entry, struct hvm_memmap_table_entry
//	xen/include/public/elfnote.h			XEN_ELFNOTE_*
//	xen/include/public/xen.h			SIF_* flags
//
// All multi-byte fields are little-endian, since PVH exists only on x86.
//
// The package is vendored into the Mirago standard library, where
// packages as low as syscall, or the runtime, may use it, so it imports
// nothing: even errors depends on the runtime, and the standard
// library's dependency rules place encoding/binary and strconv above
// syscall.
package pvh

// StartMagic is hvm_start_info.magic: "xEn3" with the 0x80 bit of the
// "E" set (XEN_HVM_START_MAGIC_VALUE).
const StartMagic = 0x336ec578

// Sizes of the structures, in bytes. Version 0 of hvm_start_info ends
// after rsdp_paddr; version 1 added the memory map fields and 4 bytes of
// padding (start_info.h, "Version numbers ... have evolved like this").
const (
	StartInfoSizeV0  = 40
	StartInfoSize    = 56 // version 1 and newer
	ModlistEntrySize = 32
	MemmapEntrySize  = 24
)

// Byte offsets of the hvm_start_info fields (start_info.h layout diagram).
// Assembly that reads the structure before any Go code runs uses these.
const (
	OffMagic         = 0
	OffVersion       = 4
	OffFlags         = 8
	OffNrModules     = 12
	OffModlistPaddr  = 16
	OffCmdlinePaddr  = 24
	OffRsdpPaddr     = 32
	OffMemmapPaddr   = 40 // version 1
	OffMemmapEntries = 48 // version 1
	OffReserved      = 52 // version 1
)

// Flags in hvm_start_info.flags (SIF_* in xen/include/public/xen.h).
const (
	SIFPrivileged    = 1 << 0 // the domain is privileged
	SIFInitDomain    = 1 << 1 // the domain is the initial domain (dom0)
	SIFMultibootMod  = 1 << 2 // modules are multiboot modules
	SIFModStartPFN   = 1 << 3 // mod_start is a PFN, not an address (PV only)
	SIFVirtP2M4Tools = 1 << 4 // PV only
)

// StartInfo is struct hvm_start_info. A zero address field means "not
// present": nothing is ever loaded at physical address 0.
type StartInfo struct {
	Magic        uint32
	Version      uint32
	Flags        uint32
	NrModules    uint32
	ModlistPaddr uint64 // physical address of NrModules ModlistEntry
	CmdlinePaddr uint64 // physical address of a NUL-terminated string
	RsdpPaddr    uint64 // physical address of the ACPI RSDP

	// Version 1 and newer. A version 1 loader may still pass no map:
	// MemmapEntries is then 0.
	MemmapPaddr   uint64 // physical address of MemmapEntries MemmapEntry
	MemmapEntries uint32
	Reserved      uint32
}

// ModlistEntry is struct hvm_modlist_entry: one boot module (initrd).
type ModlistEntry struct {
	Paddr        uint64
	Size         uint64
	CmdlinePaddr uint64
	Reserved     uint64
}

// MemmapEntry is struct hvm_memmap_table_entry: one region of the
// guest-physical memory map, in the style of an E820 entry.
type MemmapEntry struct {
	Addr     uint64
	Size     uint64
	Type     MemmapType
	Reserved uint32
}

// MemmapType is the type of a memory map region. The values are the ACPI
// address range types (ACPI 6.2 section 15, "System Address Map
// Interfaces"), which are also the E820 types (XEN_HVM_MEMMAP_TYPE_*).
type MemmapType uint32

const (
	MemmapRAM      MemmapType = 1
	MemmapReserved MemmapType = 2
	MemmapACPI     MemmapType = 3 // ACPI tables, reclaimable after reading
	MemmapNVS      MemmapType = 4 // ACPI non-volatile storage
	MemmapUnusable MemmapType = 5
	MemmapDisabled MemmapType = 6
	MemmapPMEM     MemmapType = 7 // persistent memory
)

var memmapTypeNames = [...]string{
	MemmapRAM:      "RAM",
	MemmapReserved: "reserved",
	MemmapACPI:     "ACPI",
	MemmapNVS:      "NVS",
	MemmapUnusable: "unusable",
	MemmapDisabled: "disabled",
	MemmapPMEM:     "PMEM",
}

func (t MemmapType) String() string {
	if int(t) < len(memmapTypeNames) && memmapTypeNames[t] != "" {
		return memmapTypeNames[t]
	}
	return "type(" + utoa(uint64(t)) + ")"
}

// Error is the type of the errors the decoders return.
type Error string

func (e Error) Error() string { return string(e) }

// Errors returned by the decoders.
const (
	ErrShort    = Error("pvh: structure truncated")
	ErrMagic    = Error("pvh: bad hvm_start_info magic")
	ErrNoteForm = Error("pvh: malformed ELF note")
)

// DecodeStartInfo decodes the hvm_start_info at the start of b. b must
// hold the whole structure for its version: 40 bytes for version 0, 56
// for version 1 and newer (newer versions only append fields).
func DecodeStartInfo(b []byte) (StartInfo, error) {
	var si StartInfo
	if len(b) < StartInfoSizeV0 {
		return si, ErrShort
	}
	si.Magic = le32(b[OffMagic:])
	if si.Magic != StartMagic {
		return si, ErrMagic
	}
	si.Version = le32(b[OffVersion:])
	si.Flags = le32(b[OffFlags:])
	si.NrModules = le32(b[OffNrModules:])
	si.ModlistPaddr = le64(b[OffModlistPaddr:])
	si.CmdlinePaddr = le64(b[OffCmdlinePaddr:])
	si.RsdpPaddr = le64(b[OffRsdpPaddr:])
	if si.Version >= 1 {
		if len(b) < StartInfoSize {
			return si, ErrShort
		}
		si.MemmapPaddr = le64(b[OffMemmapPaddr:])
		si.MemmapEntries = le32(b[OffMemmapEntries:])
		si.Reserved = le32(b[OffReserved:])
	}
	return si, nil
}

// DecodeModlist decodes n hvm_modlist_entry structures from b.
func DecodeModlist(b []byte, n int) ([]ModlistEntry, error) {
	if n < 0 || len(b)/ModlistEntrySize < n {
		return nil, ErrShort
	}
	mods := make([]ModlistEntry, n)
	for i := range mods {
		e := b[i*ModlistEntrySize:]
		mods[i] = ModlistEntry{
			Paddr:        le64(e[0:]),
			Size:         le64(e[8:]),
			CmdlinePaddr: le64(e[16:]),
			Reserved:     le64(e[24:]),
		}
	}
	return mods, nil
}

// DecodeMemmap decodes n hvm_memmap_table_entry structures from b.
func DecodeMemmap(b []byte, n int) ([]MemmapEntry, error) {
	if n < 0 || len(b)/MemmapEntrySize < n {
		return nil, ErrShort
	}
	mm := make([]MemmapEntry, n)
	for i := range mm {
		e := b[i*MemmapEntrySize:]
		mm[i] = MemmapEntry{
			Addr:     le64(e[0:]),
			Size:     le64(e[8:]),
			Type:     MemmapType(le32(e[16:])),
			Reserved: le32(e[20:]),
		}
	}
	return mm, nil
}

func le32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(le32(b)) | uint64(le32(b[4:]))<<32
}

func put32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func put64(b []byte, v uint64) {
	put32(b, uint32(v))
	put32(b[4:], uint32(v>>32))
}

// utoa formats v in decimal; strconv is out of reach (see the package
// comment).
func utoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(buf[i:])
		}
	}
}
