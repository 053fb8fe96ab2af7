// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package pvh

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// linuxPVHNote is the PVH note as Linux's arch/x86/platform/pvh/head.S
// emits it (ELFNOTE(Xen, XEN_ELFNOTE_PHYS32_ENTRY, .long pvh_start_xen
// - __START_KERNEL_map) on 32-bit, _ASM_PTR on 64-bit): an 8-byte
// descriptor.
var linuxPVHNote = []byte{
	0x04, 0x00, 0x00, 0x00, // namesz 4
	0x08, 0x00, 0x00, 0x00, // descsz 8
	0x12, 0x00, 0x00, 0x00, // type 18
	'X', 'e', 'n', 0x00,
	0x30, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // 0x1001030
}

func TestParseNotes(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    []Note
		wantErr error
	}{
		{"empty", nil, nil, nil},
		{"linux pvh", linuxPVHNote, []Note{
			{Name: "Xen", Type: NotePhys32Entry, Desc: []byte{0x30, 0x10, 0x00, 0x01, 0, 0, 0, 0}},
		}, nil},
		{"name padded, 4-byte desc, then another note", []byte{
			0x06, 0, 0, 0, 0x04, 0, 0, 0, 0x01, 0, 0, 0,
			'S', 'o', 'l', 'o', '5', 0, 0, 0, // "Solo5" + NUL + 2 pad
			0xaa, 0xbb, 0xcc, 0xdd,
			0x04, 0, 0, 0, 0x04, 0, 0, 0, 0x12, 0, 0, 0,
			'X', 'e', 'n', 0,
			0x00, 0x00, 0x10, 0x00,
		}, []Note{
			{Name: "Solo5", Type: 1, Desc: []byte{0xaa, 0xbb, 0xcc, 0xdd}},
			{Name: "Xen", Type: NotePhys32Entry, Desc: []byte{0x00, 0x00, 0x10, 0x00}},
		}, nil},
		{"trailing zero padding", append(append([]byte(nil), linuxPVHNote...), 0, 0, 0, 0), []Note{
			{Name: "Xen", Type: NotePhys32Entry, Desc: []byte{0x30, 0x10, 0x00, 0x01, 0, 0, 0, 0}},
		}, nil},
		{"descriptor runs past the end", linuxPVHNote[:len(linuxPVHNote)-1], nil, ErrNoteForm},
		{"name without NUL", []byte{
			0x03, 0, 0, 0, 0x00, 0, 0, 0, 0x12, 0, 0, 0, 'X', 'e', 'n', 0,
		}, nil, ErrNoteForm},
		{"truncated header", []byte{0x04, 0, 0, 0, 0x08}, nil, ErrNoteForm},
	}
	for _, tt := range tests {
		got, err := ParseNotes(tt.in)
		if err != tt.wantErr {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestAppendNoteRoundTrip(t *testing.T) {
	notes := []Note{
		{Name: "Go", Type: 4, Desc: []byte("build id with an odd length")},
		{Name: "Xen", Type: NotePhys32Entry, Desc: []byte{1, 2, 3, 4, 0, 0, 0, 0}},
		{Name: "Solo5", Type: 0x31494241, Desc: make([]byte, 16)},
		{Name: "", Type: 9, Desc: []byte{}},
	}
	var b []byte
	for _, n := range notes {
		b = AppendNote(b, n)
	}
	if len(b)%4 != 0 {
		t.Errorf("AppendNote left %d bytes, not a multiple of 4", len(b))
	}
	got, err := ParseNotes(b)
	if err != nil {
		t.Fatal(err)
	}
	// An empty name is written as a lone NUL (namesz 1) and reads back
	// as "".
	if diff := cmp.Diff(notes, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAppendNoteMatchesLinux(t *testing.T) {
	got := AppendNote(nil, Note{Name: "Xen", Type: NotePhys32Entry, Desc: linuxPVHNote[16:]})
	if !bytes.Equal(got, linuxPVHNote) {
		t.Errorf("AppendNote =\n% x\nwant\n% x", got, linuxPVHNote)
	}
}

func TestPhys32Entry(t *testing.T) {
	tests := []struct {
		name    string
		notes   []Note
		want    uint32
		wantOK  bool
		wantErr error
	}{
		{"none", []Note{{Name: "Go", Type: 4, Desc: []byte("x")}}, 0, false, nil},
		{"8-byte", []Note{{Name: "Xen", Type: 18, Desc: []byte{0x30, 0x10, 0, 1, 0, 0, 0, 0}}}, 0x1001030, true, nil},
		{"4-byte", []Note{{Name: "Xen", Type: 18, Desc: []byte{0, 0, 0x10, 0}}}, 0x100000, true, nil},
		{"other Xen notes first", []Note{
			{Name: "Xen", Type: NoteGuestOS, Desc: []byte("linux\x00")},
			{Name: "Xen", Type: 18, Desc: []byte{0, 0x20, 0x10, 0}},
		}, 0x102000, true, nil},
		{"type 18 of another owner", []Note{{Name: "GNU", Type: 18, Desc: []byte{1, 0, 0, 0}}}, 0, false, nil},
		{"above 4 GiB", []Note{{Name: "Xen", Type: 18, Desc: []byte{0, 0, 0, 0, 1, 0, 0, 0}}}, 0, true, ErrNoteForm},
		{"2-byte", []Note{{Name: "Xen", Type: 18, Desc: []byte{0, 0x10}}}, 0, true, ErrNoteForm},
	}
	for _, tt := range tests {
		got, ok, err := Phys32Entry(tt.notes)
		if got != tt.want || ok != tt.wantOK || err != tt.wantErr {
			t.Errorf("%s: Phys32Entry = %#x, %v, %v; want %#x, %v, %v",
				tt.name, got, ok, err, tt.want, tt.wantOK, tt.wantErr)
		}
	}
}

// buildELF returns a minimal ELF64 x86-64 executable with one PT_LOAD at
// 1 MiB holding a HLT and one PT_NOTE per element of notes.
func buildELF(entry uint64, notes [][]byte) []byte {
	const ehsize, phsize = 64, 56
	nph := 1 + len(notes)
	off := uint64(ehsize + phsize*nph)
	var segs []elf.Prog64
	var body []byte
	for _, n := range notes {
		segs = append(segs, elf.Prog64{
			Type: uint32(elf.PT_NOTE), Flags: uint32(elf.PF_R),
			Off: off + uint64(len(body)), Filesz: uint64(len(n)), Memsz: uint64(len(n)),
			Align: 4,
		})
		body = append(body, n...)
	}
	codeOff := off + uint64(len(body))
	code := []byte{0xf4} // hlt
	segs = append([]elf.Prog64{{
		Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X),
		Off: codeOff, Vaddr: 0x100000 + codeOff, Paddr: 0x100000 + codeOff,
		Filesz: uint64(len(code)), Memsz: uint64(len(code)), Align: 4096,
	}}, segs...)
	body = append(body, code...)

	var buf bytes.Buffer
	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64),
		Version: uint32(elf.EV_CURRENT), Entry: entry, Phoff: ehsize,
		Ehsize: ehsize, Phentsize: phsize, Phnum: uint16(nph),
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	binary.Write(&buf, binary.LittleEndian, hdr)
	binary.Write(&buf, binary.LittleEndian, segs)
	buf.Write(body)
	return buf.Bytes()
}

// TestNoteFromELF finds the PVH entry the way a loader does: through the
// program headers, not the section table, which loaders never read.
func TestNoteFromELF(t *testing.T) {
	entry := uint64(0x100000 + 64 + 3*56 + 0x50)
	goNote := AppendNote(nil, Note{Name: "Go", Type: 4, Desc: []byte("abcdefgh/ijklmnop")})
	xenNote := AppendNote(nil, Note{Name: "Xen", Type: NotePhys32Entry, Desc: binary.LittleEndian.AppendUint64(nil, entry)})
	image := buildELF(entry, [][]byte{goNote, xenNote})

	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		t.Fatal(err)
	}
	var all []Note
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			t.Fatal(err)
		}
		notes, err := ParseNotes(data)
		if err != nil {
			t.Fatalf("PT_NOTE at %#x: %v", p.Off, err)
		}
		all = append(all, notes...)
	}
	got, ok, err := Phys32Entry(all)
	if err != nil || !ok {
		t.Fatalf("Phys32Entry = %#x, %v, %v; want the note", got, ok, err)
	}
	if uint64(got) != f.Entry {
		t.Errorf("PVH entry %#x, ELF entry %#x; want them equal", got, f.Entry)
	}
}
