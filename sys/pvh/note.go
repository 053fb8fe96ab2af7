// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package pvh

// ELF notes of Xen guests (xen/include/public/elfnote.h). A PVH image
// carries at least XEN_ELFNOTE_PHYS32_ENTRY; the loader enters it there in
// 32-bit protected mode, paging off, with %ebx = the physical address of
// the hvm_start_info.
const (
	NoteName = "Xen" // owner of every Xen note; "Xen\x00" in the file

	NoteInfo              = 0
	NoteEntry             = 1
	NoteHypercallPage     = 2
	NoteVirtBase          = 3
	NotePaddrOffset       = 4
	NoteXenVersion        = 5
	NoteGuestOS           = 6
	NoteGuestVersion      = 7
	NoteLoader            = 8
	NotePAEMode           = 9
	NoteFeatures          = 10
	NoteBSDSymtab         = 11
	NoteHVStartLow        = 12
	NoteL1MFNValid        = 13
	NoteSuspendCancel     = 14
	NoteInitP2M           = 15
	NoteModStartPFN       = 16
	NoteSupportedFeatures = 17
	NotePhys32Entry       = 18 // XEN_ELFNOTE_PHYS32_ENTRY
)

// A Note is one ELF note: a name (owner), a type and a descriptor.
type Note struct {
	Name string // without the terminating NUL
	Type uint32
	Desc []byte
}

// noteAlign is the alignment of the name and the descriptor inside an
// ELF note. The ELF gABI says 8 for ELF64, but every producer and loader
// of Xen notes (Linux, Xen's libelf, QEMU) uses 4 in ELF64 files too, as
// does the Go linker.
const noteAlign = 4

// ParseNotes parses the contents of a PT_NOTE segment (or SHT_NOTE
// section) of a little-endian ELF file into its notes. It accepts
// trailing zero padding after the last note.
func ParseNotes(b []byte) ([]Note, error) {
	var notes []Note
	for len(b) > 0 {
		if len(b) < 12 {
			if allZero(b) {
				break
			}
			return notes, ErrNoteForm
		}
		namesz, descsz, typ := le32(b), le32(b[4:]), le32(b[8:])
		nameEnd := 12 + uint64(namesz)
		descOff := alignUp(nameEnd)
		descEnd := descOff + uint64(descsz)
		if descEnd > uint64(len(b)) {
			return notes, ErrNoteForm
		}
		name := b[12:nameEnd]
		// The name is NUL-terminated when present (gABI "Note
		// Section"); namesz counts the NUL.
		if namesz > 0 {
			if name[len(name)-1] != 0 {
				return notes, ErrNoteForm
			}
			name = name[:len(name)-1]
		}
		notes = append(notes, Note{Name: string(name), Type: typ, Desc: b[descOff:descEnd]})
		next := alignUp(descEnd)
		if next > uint64(len(b)) {
			next = uint64(len(b))
		}
		b = b[next:]
	}
	return notes, nil
}

// AppendNote appends n in ELF note form (4-byte aligned, little-endian)
// to b. Tests and tools use it to make images.
func AppendNote(b []byte, n Note) []byte {
	var hdr [12]byte
	put32(hdr[0:], uint32(len(n.Name)+1))
	put32(hdr[4:], uint32(len(n.Desc)))
	put32(hdr[8:], n.Type)
	b = append(b, hdr[:]...)
	b = append(b, n.Name...)
	b = append(b, 0)
	b = pad(b)
	b = append(b, n.Desc...)
	return pad(b)
}

// Phys32Entry returns the PVH entry point from the first
// XEN_ELFNOTE_PHYS32_ENTRY note in notes, and whether there is one.
// The descriptor is a little-endian number of 4 or 8 bytes (Linux writes
// 8, others 4); Xen's libelf accepts both. An entry at or above 4 GiB is
// malformed since the CPU is still in 32-bit mode there.
func Phys32Entry(notes []Note) (entry uint32, ok bool, err error) {
	for _, n := range notes {
		if n.Name != NoteName || n.Type != NotePhys32Entry {
			continue
		}
		var v uint64
		switch len(n.Desc) {
		case 4:
			v = uint64(le32(n.Desc))
		case 8:
			v = le64(n.Desc)
		default:
			return 0, true, ErrNoteForm
		}
		if v>>32 != 0 {
			return 0, true, ErrNoteForm
		}
		return uint32(v), true, nil
	}
	return 0, false, nil
}

func alignUp(n uint64) uint64 {
	return (n + noteAlign - 1) &^ (noteAlign - 1)
}

func pad(b []byte) []byte {
	for len(b)%noteAlign != 0 {
		b = append(b, 0)
	}
	return b
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
