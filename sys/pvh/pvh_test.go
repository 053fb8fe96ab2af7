// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package pvh

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// fieldOffsets returns the offset of every field of the struct type of v,
// by name, as Go lays it out on the host.
func fieldOffsets(v any) map[string]uintptr {
	t := reflect.TypeOf(v)
	m := make(map[string]uintptr)
	for i := 0; i < t.NumField(); i++ {
		m[t.Field(i).Name] = t.Field(i).Offset
	}
	return m
}

// TestLayout checks that the Go structs have the C layout of
// start_info.h, so that code may overlay them on guest memory, and that
// the exported offsets agree with both.
func TestLayout(t *testing.T) {
	tests := []struct {
		name string
		v    any
		size uintptr
		want map[string]uintptr
	}{
		{"hvm_start_info", StartInfo{}, StartInfoSize, map[string]uintptr{
			"Magic":         OffMagic,
			"Version":       OffVersion,
			"Flags":         OffFlags,
			"NrModules":     OffNrModules,
			"ModlistPaddr":  OffModlistPaddr,
			"CmdlinePaddr":  OffCmdlinePaddr,
			"RsdpPaddr":     OffRsdpPaddr,
			"MemmapPaddr":   OffMemmapPaddr,
			"MemmapEntries": OffMemmapEntries,
			"Reserved":      OffReserved,
		}},
		// Offsets from the diagram in start_info.h, typed in by hand.
		{"hvm_start_info (header)", StartInfo{}, 56, map[string]uintptr{
			"Magic": 0, "Version": 4, "Flags": 8, "NrModules": 12,
			"ModlistPaddr": 16, "CmdlinePaddr": 24, "RsdpPaddr": 32,
			"MemmapPaddr": 40, "MemmapEntries": 48, "Reserved": 52,
		}},
		{"hvm_modlist_entry", ModlistEntry{}, ModlistEntrySize, map[string]uintptr{
			"Paddr": 0, "Size": 8, "CmdlinePaddr": 16, "Reserved": 24,
		}},
		{"hvm_memmap_table_entry", MemmapEntry{}, MemmapEntrySize, map[string]uintptr{
			"Addr": 0, "Size": 8, "Type": 16, "Reserved": 20,
		}},
	}
	for _, tt := range tests {
		if got := reflect.TypeOf(tt.v).Size(); got != tt.size {
			t.Errorf("%s: size %d, want %d", tt.name, got, tt.size)
		}
		if diff := cmp.Diff(tt.want, fieldOffsets(tt.v)); diff != "" {
			t.Errorf("%s: field offsets (-want +got):\n%s", tt.name, diff)
		}
	}
	if StartInfoSizeV0 != unsafe.Offsetof(StartInfo{}.MemmapPaddr) {
		t.Errorf("StartInfoSizeV0 = %d, want the offset of memmap_paddr", StartInfoSizeV0)
	}
}

// startInfoBlob is a version 1 hvm_start_info as QEMU's PVH option ROM
// would leave it, written out byte by byte.
var startInfoBlob = []byte{
	0x78, 0xc5, 0x6e, 0x33, // magic 0x336ec578
	0x01, 0x00, 0x00, 0x00, // version 1
	0x00, 0x00, 0x00, 0x00, // flags
	0x01, 0x00, 0x00, 0x00, // nr_modules 1
	0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // modlist_paddr 0x7000
	0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // cmdline_paddr 0x6000
	0xe0, 0x0f, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, // rsdp_paddr 0xf0fe0
	0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // memmap_paddr 0x8000
	0x03, 0x00, 0x00, 0x00, // memmap_entries 3
	0x00, 0x00, 0x00, 0x00, // reserved
}

var memmapBlob = []byte{
	// [0, 0x9fc00) RAM
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xfc, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	// [0xf0000, +64K) reserved
	0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	// [1M, 4G+1M) RAM: a size above 32 bits
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
}

var modlistBlob = []byte{
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, // paddr 0x4000000
	0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // size 0x1234
	0x00, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // cmdline_paddr 0x6100
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // reserved
}

func TestDecodeStartInfo(t *testing.T) {
	v0 := append([]byte(nil), startInfoBlob[:StartInfoSizeV0]...)
	v0[OffVersion] = 0
	badMagic := append([]byte(nil), startInfoBlob...)
	badMagic[0] = 0x79
	tests := []struct {
		name    string
		in      []byte
		want    StartInfo
		wantErr error
	}{
		{"version 1", startInfoBlob, StartInfo{
			Magic: StartMagic, Version: 1, NrModules: 1,
			ModlistPaddr: 0x7000, CmdlinePaddr: 0x6000, RsdpPaddr: 0xf0fe0,
			MemmapPaddr: 0x8000, MemmapEntries: 3,
		}, nil},
		{"version 0 is 40 bytes", v0, StartInfo{
			Magic: StartMagic, Version: 0, NrModules: 1,
			ModlistPaddr: 0x7000, CmdlinePaddr: 0x6000, RsdpPaddr: 0xf0fe0,
		}, nil},
		{"version 1 cut to 40 bytes", startInfoBlob[:StartInfoSizeV0], StartInfo{}, ErrShort},
		{"too short for any version", startInfoBlob[:39], StartInfo{}, ErrShort},
		{"bad magic", badMagic, StartInfo{}, ErrMagic},
	}
	for _, tt := range tests {
		got, err := DecodeStartInfo(tt.in)
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

func TestDecodeMemmap(t *testing.T) {
	got, err := DecodeMemmap(memmapBlob, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []MemmapEntry{
		{Addr: 0, Size: 0x9fc00, Type: MemmapRAM},
		{Addr: 0xf0000, Size: 0x10000, Type: MemmapReserved},
		{Addr: 0x100000, Size: 1 << 32, Type: MemmapRAM},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, n := range []int{4, -1} {
		if _, err := DecodeMemmap(memmapBlob, n); err != ErrShort {
			t.Errorf("DecodeMemmap(3 entries, %d): err = %v, want ErrShort", n, err)
		}
	}
}

func TestDecodeModlist(t *testing.T) {
	got, err := DecodeModlist(modlistBlob, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []ModlistEntry{{Paddr: 0x4000000, Size: 0x1234, CmdlinePaddr: 0x6100}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := DecodeModlist(modlistBlob[:31], 1); err != ErrShort {
		t.Errorf("DecodeModlist(31 bytes, 1): err = %v, want ErrShort", err)
	}
}

func TestMemmapTypeString(t *testing.T) {
	tests := map[MemmapType]string{
		MemmapRAM:  "RAM",
		MemmapPMEM: "PMEM",
		0:          "type(0)",
		0xf0000001: "type(4026531841)",
	}
	for typ, want := range tests {
		if got := typ.String(); got != want {
			t.Errorf("MemmapType(%d).String() = %q, want %q", uint32(typ), got, want)
		}
	}
}
