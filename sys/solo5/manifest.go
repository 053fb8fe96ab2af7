// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package solo5

// The application manifest (include/mft_abi.h): the list of devices an
// image wants, which the tender attaches by name on its command line
// (--net:NAME=TAP, --block:NAME=FILE). A device's handle at run time is
// its index in the manifest, so the first real device is handle 1.

// ManifestVersion is MFT_VERSION.
const ManifestVersion = 1

// Manifest limits and sizes (mft_abi.h).
const (
	MaxEntries         = 64  // MFT_MAX_ENTRIES, the bits of a solo5_handle_set_t
	NameSize           = 68  // MFT_NAME_SIZE, including the NUL
	NameMax            = 67  // MFT_NAME_MAX
	EntrySize          = 104 // sizeof(struct mft_entry)
	ManifestHeaderSize = 8   // sizeof(struct mft) without entries
)

// Offsets inside struct mft_entry. The unions start at 8-byte boundaries
// because they hold a uint64_t and a pointer.
const (
	EntryOffName          = 0
	EntryOffType          = 68
	EntryOffBlockCapacity = 72 // u.block_basic.capacity (uint64)
	EntryOffBlockSize     = 80 // u.block_basic.block_size (uint16)
	EntryOffNetMAC        = 72 // u.net_basic.mac[6]
	EntryOffNetMTU        = 78 // u.net_basic.mtu (uint16)
	EntryOffHostFD        = 88 // b.hostfd (int), or b.data (pointer)
	EntryOffAttached      = 96 // bool
)

// DevType is enum mft_type.
type DevType uint32

const (
	DevBlockBasic DevType = 1
	DevNetBasic   DevType = 2

	// DevReservedFirst (MFT_RESERVED_FIRST) is the type of entry 0,
	// which every manifest has and which has an empty name.
	DevReservedFirst DevType = 1 << 30
)

// An Entry is struct mft_entry. Only the fields of its Type are
// meaningful; in an image, Attached is false and the properties and
// HostFD are zero, since the tender fills them in.
type Entry struct {
	Name string
	Type DevType

	BlockCapacity  uint64 // DevBlockBasic: bytes
	BlockBlockSize uint16 // DevBlockBasic: bytes per block

	NetMAC [6]byte // DevNetBasic
	NetMTU uint16  // DevNetBasic

	HostFD   int32
	Attached bool
}

// Manifest is struct mft.
type Manifest struct {
	Version uint32
	Entries []Entry
}

// ManifestSize returns sizeof(struct mft) with n entries, the size that
// mft_validate requires of the descriptor once the note's internal
// padding is removed.
func ManifestSize(n int) int {
	return ManifestHeaderSize + n*EntrySize
}

// ManifestNoteDescsz returns the n_descsz of a manifest note with n
// entries: the manifest plus the 4 bytes that align it to 8 after the
// 20-byte header (MFT1_NOTE_DECLARE_BEGIN counts them).
func ManifestNoteDescsz(n int) int {
	return ManifestNoteDescOff - NoteHeaderSize + ManifestSize(n)
}

// NewManifest returns a manifest with the reserved first entry followed
// by devs, which is what an image declares.
func NewManifest(devs ...Entry) Manifest {
	return Manifest{
		Version: ManifestVersion,
		Entries: append([]Entry{{Type: DevReservedFirst}}, devs...),
	}
}

// Validate reports whether m would pass the tender's mft_validate
// (tenders/common/mft.c): version 1, between 1 and MaxEntries entries,
// the reserved entry first, names that fit, nothing attached.
func (m Manifest) Validate() error {
	if m.Version != ManifestVersion {
		return ErrVersion
	}
	if len(m.Entries) < 1 || len(m.Entries) > MaxEntries {
		return ErrManifest
	}
	if m.Entries[0].Type != DevReservedFirst || m.Entries[0].Name != "" {
		return ErrManifest
	}
	for _, e := range m.Entries {
		if len(e.Name) > NameMax || e.Attached {
			return ErrManifest
		}
		for i := 0; i < len(e.Name); i++ {
			if e.Name[i] == 0 {
				return ErrManifest
			}
		}
	}
	return nil
}

// AppendManifest appends m in struct mft form (without the note's
// internal padding) to b.
func AppendManifest(b []byte, m Manifest) []byte {
	start := len(b)
	b = append(b, make([]byte, ManifestSize(len(m.Entries)))...)
	out := b[start:]
	put32(out, m.Version)
	put32(out[4:], uint32(len(m.Entries)))
	for i, e := range m.Entries {
		d := out[ManifestHeaderSize+i*EntrySize:][:EntrySize]
		copy(d[EntryOffName:EntryOffName+NameMax], e.Name)
		put32(d[EntryOffType:], uint32(e.Type))
		switch e.Type {
		case DevBlockBasic:
			put64(d[EntryOffBlockCapacity:], e.BlockCapacity)
			put16(d[EntryOffBlockSize:], e.BlockBlockSize)
		case DevNetBasic:
			copy(d[EntryOffNetMAC:], e.NetMAC[:])
			put16(d[EntryOffNetMTU:], e.NetMTU)
		}
		put32(d[EntryOffHostFD:], uint32(e.HostFD))
		if e.Attached {
			d[EntryOffAttached] = 1
		}
	}
	return b
}

// DecodeManifest decodes a struct mft, such as the manifest note's
// descriptor after its 4 bytes of padding. Like the tender, it requires
// the size to match the entry count exactly.
func DecodeManifest(b []byte) (Manifest, error) {
	var m Manifest
	if len(b) < ManifestHeaderSize {
		return m, ErrShort
	}
	m.Version = le32(b)
	if m.Version != ManifestVersion {
		return m, ErrVersion
	}
	n := le32(b[4:])
	if n > MaxEntries {
		return m, ErrManifest
	}
	if len(b) != ManifestSize(int(n)) {
		return m, ErrManifestSize
	}
	m.Entries = make([]Entry, n)
	for i := range m.Entries {
		d := b[ManifestHeaderSize+i*EntrySize:][:EntrySize]
		if d[EntryOffName+NameMax] != 0 {
			return m, ErrManifest
		}
		name := d[EntryOffName : EntryOffName+NameMax]
		for j, c := range name {
			if c == 0 {
				name = name[:j]
				break
			}
		}
		e := Entry{
			Name:     string(name),
			Type:     DevType(le32(d[EntryOffType:])),
			HostFD:   int32(le32(d[EntryOffHostFD:])),
			Attached: d[EntryOffAttached] != 0,
		}
		switch e.Type {
		case DevBlockBasic:
			e.BlockCapacity = le64(d[EntryOffBlockCapacity:])
			e.BlockBlockSize = le16(d[EntryOffBlockSize:])
		case DevNetBasic:
			copy(e.NetMAC[:], d[EntryOffNetMAC:])
			e.NetMTU = le16(d[EntryOffNetMTU:])
		}
		m.Entries[i] = e
	}
	return m, nil
}
