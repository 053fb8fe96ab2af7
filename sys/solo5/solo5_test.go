// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package solo5

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// C layouts of the Solo5 structures, written as Go structs with the same
// LP64 alignment rules, one per union member. The test compares their
// offsets with the exported constants, so a wrong constant shows up as a
// diff against what a C compiler would do.
type (
	cEntryBlock struct {
		Name      [68]byte
		Type      uint32
		Capacity  uint64
		BlockSize uint16
		_         [6]byte // union padding to 16 bytes
		HostFD    int64   // union { int hostfd; void *data; }
		Attached  bool
	}
	cEntryNet struct {
		Name     [68]byte
		Type     uint32
		MAC      [6]byte
		MTU      uint16
		_        uint64 // rest of the 16-byte union
		HostFD   int64
		Attached bool
	}
	cSPTBootInfo struct {
		MemSize, KernelEnd, Cmdline, Mft uint64
		EpollFD, TimerFD                 int32
	}
	cHVTBootInfo struct {
		MemSize, KernelEnd, CPUCycleFreq, Cmdline, Mft uint64
		HostFeatures, GuestFeatures                    uint32
		NetRing                                        uint64
	}
	cABI1Info struct {
		Target, Version, Reserved0, Reserved1 uint32
	}
	cHVTBlockIO struct {
		Handle, Offset, Data, Len uint64
		Ret                       int32
	}
	cHVTNetIO struct {
		Handle, Data, Len uint64
		Ret               int32
	}
	cHVTPoll struct {
		Timeout, ReadySet uint64
		Ret               int32
	}
	cHVTHalt struct {
		Cookie     uint64
		ExitStatus int32
	}
)

func offsets(v any) map[string]uintptr {
	t := reflect.TypeOf(v)
	m := make(map[string]uintptr)
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Name != "_" {
			m[f.Name] = f.Offset
		}
	}
	return m
}

func TestLayout(t *testing.T) {
	tests := []struct {
		name string
		v    any
		size uintptr
		want map[string]uintptr
	}{
		{"mft_entry (block)", cEntryBlock{}, EntrySize, map[string]uintptr{
			"Name": EntryOffName, "Type": EntryOffType,
			"Capacity": EntryOffBlockCapacity, "BlockSize": EntryOffBlockSize,
			"HostFD": EntryOffHostFD, "Attached": EntryOffAttached,
		}},
		{"mft_entry (net)", cEntryNet{}, EntrySize, map[string]uintptr{
			"Name": EntryOffName, "Type": EntryOffType,
			"MAC": EntryOffNetMAC, "MTU": EntryOffNetMTU,
			"HostFD": EntryOffHostFD, "Attached": EntryOffAttached,
		}},
		// The offsets DESIGN.md §7 lists, typed in by hand.
		{"spt_boot_info", cSPTBootInfo{}, SPTBootInfoSize, map[string]uintptr{
			"MemSize": 0, "KernelEnd": 8, "Cmdline": 16, "Mft": 24, "EpollFD": 32, "TimerFD": 36,
		}},
		{"hvt_boot_info", cHVTBootInfo{}, HVTBootInfoSize, map[string]uintptr{
			"MemSize": 0, "KernelEnd": 8, "CPUCycleFreq": 16, "Cmdline": 24, "Mft": 32,
			"HostFeatures": 40, "GuestFeatures": 44, "NetRing": 48,
		}},
		{"abi1_info", cABI1Info{}, ABIInfoSize, map[string]uintptr{
			"Target": 0, "Version": 4, "Reserved0": 8, "Reserved1": 12,
		}},
		{"hvt_hc_block_read", cHVTBlockIO{}, HVTBlockIOSize, map[string]uintptr{
			"Handle": 0, "Offset": 8, "Data": 16, "Len": 24, "Ret": 32,
		}},
		{"hvt_hc_net_read", cHVTNetIO{}, HVTNetIOSize, map[string]uintptr{
			"Handle": 0, "Data": 8, "Len": 16, "Ret": 24,
		}},
		{"hvt_hc_poll", cHVTPoll{}, HVTPollSize, map[string]uintptr{
			"Timeout": 0, "ReadySet": 8, "Ret": 16,
		}},
		{"hvt_hc_halt", cHVTHalt{}, HVTHaltSize, map[string]uintptr{
			"Cookie": 0, "ExitStatus": 8,
		}},
	}
	for _, tt := range tests {
		if got := reflect.TypeOf(tt.v).Size(); got != tt.size {
			t.Errorf("%s: size %d, want %d", tt.name, got, tt.size)
		}
		if diff := cmp.Diff(tt.want, offsets(tt.v)); diff != "" {
			t.Errorf("%s: offsets (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestNoteLayout checks the note constants against the way
// elf_load_note finds the descriptor: the header, then padding up to the
// descriptor's alignment, all counted in n_descsz.
func TestNoteLayout(t *testing.T) {
	const nameField = (len(NoteName) + 1 + 3) &^ 3 // char n_name[(sizeof + 3) & -4]
	if got := 12 + nameField; got != NoteHeaderSize {
		t.Errorf("header size %d, want %d", got, NoteHeaderSize)
	}
	alignUp := func(n, a int) int { return (n + a - 1) &^ (a - 1) }
	if got := alignUp(NoteHeaderSize, 4); got != ABINoteDescOff {
		t.Errorf("ABI descriptor at %d, want %d", got, ABINoteDescOff)
	}
	if got := alignUp(NoteHeaderSize, 8); got != ManifestNoteDescOff {
		t.Errorf("manifest descriptor at %d, want %d", got, ManifestNoteDescOff)
	}
	// sizeof(struct mft1_note) - sizeof(struct mft1_nhdr) for one and
	// for 64 entries.
	for _, n := range []int{1, MaxEntries} {
		want := (ManifestNoteDescOff + 8 + n*EntrySize) - NoteHeaderSize
		if got := ManifestNoteDescsz(n); got != want {
			t.Errorf("ManifestNoteDescsz(%d) = %d, want %d", n, got, want)
		}
	}
	for s, typ := range map[string]uint32{"ABI1": NoteTypeABI, "MFT1": NoteTypeManifest} {
		if got := le32([]byte(s)); got != typ {
			t.Errorf("%q as a little-endian word = %#x, want %#x", s, got, typ)
		}
	}
}

// manifestBlob is a manifest declaring one network device "service0",
// written out byte by byte from mft_abi.h: a header, the reserved entry
// and the net entry, with the properties the tender fills in left zero.
func manifestBlob() []byte {
	entry := func(name string, typ uint32) []byte {
		e := make([]byte, 104)
		copy(e, name)
		e[68], e[69], e[70], e[71] = byte(typ), byte(typ>>8), byte(typ>>16), byte(typ>>24)
		return e
	}
	b := []byte{
		0x01, 0x00, 0x00, 0x00, // version
		0x02, 0x00, 0x00, 0x00, // entries
	}
	b = append(b, entry("", 1<<30)...)
	b = append(b, entry("service0", 2)...)
	return b
}

func TestManifestRoundTrip(t *testing.T) {
	m := NewManifest(Entry{Name: "service0", Type: DevNetBasic})
	if err := m.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	got := AppendManifest(nil, m)
	if want := manifestBlob(); !bytes.Equal(got, want) {
		t.Errorf("AppendManifest =\n% x\nwant\n% x", got, want)
	}
	back, err := DecodeManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("decode(encode(m)) (-want +got):\n%s", diff)
	}
}

func TestManifestDeviceProperties(t *testing.T) {
	// What a tender writes after attaching: the decoder must read the
	// union member of each type at its own offsets.
	m := Manifest{Version: 1, Entries: []Entry{
		{Type: DevReservedFirst},
		{Name: "disk", Type: DevBlockBasic, BlockCapacity: 1 << 33, BlockBlockSize: 512, HostFD: 7, Attached: true},
		{Name: "net", Type: DevNetBasic, NetMAC: [6]byte{2, 0, 0, 0, 0, 1}, NetMTU: 1500, HostFD: 8, Attached: true},
	}}
	b := AppendManifest(nil, m)
	d := b[ManifestHeaderSize+EntrySize:]
	if got := le64(d[EntryOffBlockCapacity:]); got != 1<<33 {
		t.Errorf("capacity word = %#x, want %#x", got, uint64(1<<33))
	}
	d = b[ManifestHeaderSize+2*EntrySize:]
	if got := le16(d[EntryOffNetMTU:]); got != 1500 {
		t.Errorf("mtu word = %d, want 1500", got)
	}
	back, err := DecodeManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := back.Validate(); err != ErrManifest {
		t.Errorf("Validate of an attached manifest = %v, want ErrManifest", err)
	}
}

func TestManifestInvalid(t *testing.T) {
	tooMany := NewManifest(make([]Entry, MaxEntries)...)
	for i := range tooMany.Entries[1:] {
		tooMany.Entries[i+1] = Entry{Name: "n", Type: DevNetBasic}
	}
	tests := []struct {
		name string
		m    Manifest
		want error
	}{
		{"ok", NewManifest(), nil},
		{"version 2", Manifest{Version: 2, Entries: []Entry{{Type: DevReservedFirst}}}, ErrVersion},
		{"no entries", Manifest{Version: 1}, ErrManifest},
		{"first entry not reserved", Manifest{Version: 1, Entries: []Entry{{Type: DevNetBasic}}}, ErrManifest},
		{"reserved entry with a name", Manifest{Version: 1, Entries: []Entry{{Name: "x", Type: DevReservedFirst}}}, ErrManifest},
		{"name too long", NewManifest(Entry{Name: strings.Repeat("n", NameMax+1), Type: DevNetBasic}), ErrManifest},
		{"longest name", NewManifest(Entry{Name: strings.Repeat("n", NameMax), Type: DevNetBasic}), nil},
		{"65 entries", tooMany, ErrManifest},
	}
	for _, tt := range tests {
		if got := tt.m.Validate(); got != tt.want {
			t.Errorf("%s: Validate = %v, want %v", tt.name, got, tt.want)
		}
	}

	good := manifestBlob()
	decodeTests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:7], ErrShort},
		{"one byte missing", good[:len(good)-1], ErrManifestSize},
		{"one byte extra (note padding left in)", append(append([]byte(nil), good...), 0), ErrManifestSize},
		{"version 0", append([]byte{0, 0, 0, 0}, good[4:]...), ErrVersion},
		{"unterminated name", func() []byte {
			b := append([]byte(nil), good...)
			b[ManifestHeaderSize+EntrySize+NameMax] = 'x'
			return b
		}(), ErrManifest},
	}
	for _, tt := range decodeTests {
		if _, err := DecodeManifest(tt.b); err != tt.want {
			t.Errorf("%s: DecodeManifest err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestABIInfo(t *testing.T) {
	// The descriptor the spt bindings declare (bindings/spt/start.c).
	blob := []byte{2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	want := ABIInfo{Target: TargetSPT, Version: ABIVersionSPT}
	got, err := DecodeABIInfo(blob)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if enc := AppendABIInfo(nil, want); !bytes.Equal(enc, blob) {
		t.Errorf("AppendABIInfo = % x, want % x", enc, blob)
	}
	if _, err := DecodeABIInfo(blob[:15]); err != ErrShort {
		t.Errorf("DecodeABIInfo(15 bytes) err = %v, want ErrShort", err)
	}
}

func TestDecodeBootInfo(t *testing.T) {
	spt := make([]byte, SPTBootInfoSize)
	put64(spt[0:], 512<<20)
	put64(spt[8:], 0x3a0000)
	put64(spt[16:], 0x12000)
	put64(spt[24:], 0x13000)
	put32(spt[32:], 3)
	put32(spt[36:], 4)
	gotSPT, err := DecodeSPTBootInfo(spt)
	if err != nil {
		t.Fatal(err)
	}
	wantSPT := SPTBootInfo{MemSize: 512 << 20, KernelEnd: 0x3a0000, Cmdline: 0x12000, Manifest: 0x13000, EpollFD: 3, TimerFD: 4}
	if diff := cmp.Diff(wantSPT, gotSPT); diff != "" {
		t.Errorf("spt (-want +got):\n%s", diff)
	}

	hvt := make([]byte, HVTBootInfoSize)
	put64(hvt[16:], 2_000_000_000)
	put32(hvt[40:], HVTFeatureRingIO)
	put64(hvt[48:], 0x7f000)
	gotHVT, err := DecodeHVTBootInfo(hvt)
	if err != nil {
		t.Fatal(err)
	}
	wantHVT := HVTBootInfo{CPUCycleFreq: 2e9, HostFeatures: HVTFeatureRingIO, NetRing: 0x7f000}
	if diff := cmp.Diff(wantHVT, gotHVT); diff != "" {
		t.Errorf("hvt (-want +got):\n%s", diff)
	}
	if _, err := DecodeSPTBootInfo(spt[:39]); err != ErrShort {
		t.Errorf("DecodeSPTBootInfo(39 bytes) err = %v, want ErrShort", err)
	}
	if _, err := DecodeHVTBootInfo(hvt[:55]); err != ErrShort {
		t.Errorf("DecodeHVTBootInfo(55 bytes) err = %v, want ErrShort", err)
	}
}
