// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

// The split virtqueue (§2.7 "Split Virtqueues") is three areas of guest
// memory for a queue of n entries, n a power of 2:
//
//	descriptor table  n descriptors of DescSize bytes      (driver writes)
//	available ring    flags, idx, ring[n] le16, used_event (driver writes)
//	used ring         flags, idx, ring[n] of {id, len} le32, avail_event (device writes)
//
// used_event lives in the available ring because the driver writes it;
// avail_event lives in the used ring because the device writes it. Both
// exist only when FRingEventIdx is negotiated, but the space is part of
// the layout either way.

// MaxQueueSize is the largest split virtqueue (§2.7 "Queue Size value is
// always a power of 2. The maximum Queue Size value is 32768").
const MaxQueueSize = 32768

// Alignment of each area, in bytes (§2.7 table "Virtqueue Part
// Alignment Size").
const (
	DescTableAlign = 16
	AvailRingAlign = 2
	UsedRingAlign  = 4
)

// Descriptor layout (§2.7.5 "The Virtqueue Descriptor Table"): le64 addr,
// le32 len, le16 flags, le16 next.
const (
	DescSize      = 16
	DescOffAddr   = 0
	DescOffLen    = 8
	DescOffFlags  = 12
	DescOffNext   = 14
	DescFNext     = 1 // the chain continues at next
	DescFWrite    = 2 // the device writes this buffer (otherwise it reads it)
	DescFIndirect = 4 // addr points to a table of descriptors (FIndirectDesc)
)

// Ring header, common to the available and used rings: le16 flags, le16
// idx, then the entries (§2.7.6, §2.7.8).
const (
	RingOffFlags   = 0
	RingOffIdx     = 2
	RingOffEntries = 4
)

// AvailFNoInterrupt in the available ring's flags asks the device not to
// interrupt when it uses a buffer; a hint, ignored once FRingEventIdx is
// negotiated (§2.7.7 "Used Buffer Notification Suppression").
const AvailFNoInterrupt = 1

// UsedFNoNotify in the used ring's flags tells the driver the device
// needs no notification for new available buffers; also a hint, replaced
// by avail_event under FRingEventIdx (§2.7.10).
const UsedFNoNotify = 1

// Sizes of the entries: a le16 descriptor index in the available ring;
// a le32 id (the chain's head) and a le32 len (bytes the device wrote)
// in the used ring (§2.7.8 "struct virtq_used_elem").
const (
	AvailEntrySize   = 2
	UsedElemSize     = 8
	UsedElemOffID    = 0
	UsedElemOffLen   = 4
	ringEventSize    = 2
	ringHeaderSize   = RingOffEntries
	ringSizeOverhead = ringHeaderSize + ringEventSize
)

// DescTableSize is the size in bytes of the descriptor table of a queue
// of n entries.
func DescTableSize(n int) int { return DescSize * n }

// AvailRingSize is the size in bytes of the available ring of a queue of
// n entries, used_event included.
func AvailRingSize(n int) int { return ringSizeOverhead + AvailEntrySize*n }

// UsedRingSize is the size in bytes of the used ring of a queue of n
// entries, avail_event included.
func UsedRingSize(n int) int { return ringSizeOverhead + UsedElemSize*n }

// UsedEventOffset is the offset of used_event in the available ring of a
// queue of n entries.
func UsedEventOffset(n int) int { return ringHeaderSize + AvailEntrySize*n }

// AvailEventOffset is the offset of avail_event in the used ring of a
// queue of n entries.
func AvailEventOffset(n int) int { return ringHeaderSize + UsedElemSize*n }

// NeedEvent reports whether a side that moved its index from old to new
// must notify the other side, which asked to hear once the index passes
// event (§2.7.7, vring_need_event in the spec's helper code). All three
// are free-running 16-bit counters, so the comparison is modulo 2^16:
// notify if event lies in [old, new).
func NeedEvent(event, new, old uint16) bool {
	return new-event-1 < new-old
}
