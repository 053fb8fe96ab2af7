// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package solo5 defines the Solo5 ABI that a GOOS=solo5 image implements:
// the two ELF notes a tender reads before loading an image (ABI and
// manifest), the boot information the spt and hvt tenders pass to the
// entry point, and the hvt hypercall interface.
//
// The facts come from Solo5 v0.12.1:
//
//	include/elf_abi.h	ABI1 note, enum abi_target
//	include/mft_abi.h	MFT1 note, struct mft, struct mft_entry
//	include/spt_abi.h	struct spt_boot_info, guest memory layout
//	include/hvt_abi.h	struct hvt_boot_info, hypercalls
//	include/solo5.h		exit statuses
//	bindings/*/start.c	the ABI version each target declares
//	tenders/common/elf.c	how a tender finds and reads a note
//	tenders/common/mft.c	mft_validate
//
// Layouts are those of the x86_64 and aarch64 tenders (LP64, natural
// alignment, little-endian).
//
// Like mirago.dev/sys/pvh, the package is vendored into the Mirago
// standard library and imports nothing, so that packages as low as
// syscall, or the runtime, can use it.
package solo5

// NoteName is the owner of both Solo5 notes ("Solo5\x00" in the file,
// namesz 6, padded to 8).
const NoteName = "Solo5"

// Note types (ABI1_NOTE_TYPE, MFT1_NOTE_TYPE): the ASCII strings "ABI1"
// and "MFT1" read as little-endian words.
const (
	NoteTypeABI      = 0x31494241
	NoteTypeManifest = 0x3154464d
)

// A tender reads only the note header at the p_offset of each PT_NOTE
// (tenders/common/elf.c, elf_load_note), so each Solo5 note must be the
// first note of its own PT_NOTE segment.
//
// The header is 20 bytes (12 bytes of Elf64_Nhdr and the 8-byte padded
// name). The descriptor then starts at the descriptor's own alignment:
// 4 for the ABI note (offset 20) and 8 for the manifest (offset 24), and
// n_descsz counts those padding bytes.
const (
	NoteHeaderSize      = 20
	ABINoteDescOff      = 20
	ManifestNoteDescOff = 24
)

// Target is enum abi_target, the kind of host an image is built for.
type Target uint32

const (
	TargetHVT    Target = 1 // hardware virtualized tender (KVM, bhyve, vmm)
	TargetSPT    Target = 2 // sandboxed process tender (seccomp)
	TargetVirtio Target = 3
	TargetMuen   Target = 4
	TargetGenode Target = 5
	TargetXen    Target = 6
)

// ABI versions that each target's bindings declare in the ABI note
// (bindings/*/start.c; HVT_ABI_VERSION, SPT_ABI_VERSION).
const (
	ABIVersionHVT    = 2
	ABIVersionSPT    = 2
	ABIVersionVirtio = 1
	ABIVersionMuen   = 4
	ABIVersionXen    = 1
)

// ABIInfo is struct abi1_info, the descriptor of the ABI note.
type ABIInfo struct {
	Target    Target
	Version   uint32
	Reserved0 uint32
	Reserved1 uint32
}

// ABIInfoSize is sizeof(struct abi1_info).
const ABIInfoSize = 16

// Error is the type of the errors the decoders return.
type Error string

func (e Error) Error() string { return string(e) }

// Errors returned by the decoders.
const (
	ErrShort        = Error("solo5: structure truncated")
	ErrVersion      = Error("solo5: unsupported manifest version")
	ErrManifestSize = Error("solo5: manifest size does not match its entry count")
	ErrManifest     = Error("solo5: invalid manifest")
)

// DecodeABIInfo decodes the ABI note descriptor at the start of b.
func DecodeABIInfo(b []byte) (ABIInfo, error) {
	if len(b) < ABIInfoSize {
		return ABIInfo{}, ErrShort
	}
	return ABIInfo{
		Target:    Target(le32(b)),
		Version:   le32(b[4:]),
		Reserved0: le32(b[8:]),
		Reserved1: le32(b[12:]),
	}, nil
}

// AppendABIInfo appends the descriptor of the ABI note to b.
func AppendABIInfo(b []byte, a ABIInfo) []byte {
	b = append32(b, uint32(a.Target))
	b = append32(b, a.Version)
	b = append32(b, a.Reserved0)
	return append32(b, a.Reserved1)
}

// Exit statuses of solo5_exit and solo5_abort (solo5.h). Under spt the
// status is the tender's exit_group status.
const (
	ExitSuccess = 0
	ExitFailure = 1
	ExitAbort   = 255
)

// GuestMinBase is the lowest address at which a tender loads an image
// (HVT_GUEST_MIN_BASE, SPT_GUEST_MIN_BASE): every PT_LOAD and the entry
// point must be at or above it.
const GuestMinBase = 0x100000

// CmdlineSize is the largest command line a tender passes, including the
// NUL (HVT_CMDLINE_SIZE, SPT_CMDLINE_SIZE).
const CmdlineSize = 8192

func le32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le16(b []byte) uint16 {
	_ = b[1]
	return uint16(b[0]) | uint16(b[1])<<8
}

func le64(b []byte) uint64 {
	return uint64(le32(b)) | uint64(le32(b[4:]))<<32
}

func append32(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func put16(b []byte, v uint16) {
	_ = b[1]
	b[0], b[1] = byte(v), byte(v>>8)
}

func put32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func put64(b []byte, v uint64) {
	put32(b, uint32(v))
	put32(b[4:], uint32(v>>32))
}
