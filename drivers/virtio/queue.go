// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"mirago.dev/drivers/dma"
	"mirago.dev/sys/virtiospec"
)

// A Seg is one buffer of a chain: Len bytes at physical address Addr,
// read by the device, or written by it if Write is set.
type Seg struct {
	Addr  uint64
	Len   uint32
	Write bool
}

// Used is a chain the device has finished with.
type Used struct {
	// Head is the chain's first descriptor, as returned by Add. The
	// caller keys its own bookkeeping (which buffer, which request) by
	// it.
	Head uint16
	// Len is the number of bytes the device says it wrote into the
	// chain's writable buffers, at most their total size.
	Len uint32
	// Err is ErrBadUsedLen if the device claimed to have written more
	// than the writable buffers hold. The chain is free again and the
	// caller should recycle its buffers, but not trust their contents.
	Err error
}

// QueueStats counts what a queue saw. The Bad counters are device
// misbehaviour the queue refused to act on.
type QueueStats struct {
	Added      uint64 // chains made available
	Used       uint64 // chains returned by Pop
	Notifies   uint64 // notifications sent to the device
	Full       uint64 // Add calls refused with ErrQueueFull
	BadID      uint64 // used entries naming no outstanding chain; skipped
	BadLen     uint64 // used entries with an impossible length
	BadIdx     uint64 // used index ahead of the chains in flight; queue stopped
	Reclaimed  uint64 // chains taken back by Reset
	Suppressed uint64 // Kick calls that the device asked not to notify
	Nudges     uint64 // notifications sent to a device that used nothing over two Kicks
}

// Queue is a split virtqueue (§2.7): a descriptor table, an available
// ring the driver fills and a used ring the device fills, all in DMA
// memory (dma.Memory).
//
// The driver keeps its own copy of every link and length it put into the
// descriptor table and never reads the table back, so a device that
// scribbles over shared memory cannot make the queue follow a bad link,
// free a descriptor twice or lose one. Indirect descriptors and the
// packed layout are not used.
type Queue struct {
	index    uint16 // the queue's number in its device
	size     uint16 // entries, a power of 2
	mask     uint16
	eventIdx bool // VIRTIO_F_RING_EVENT_IDX negotiated

	desc, avail, used             []byte
	descPhys, availPhys, usedPhys uint64
	usedEventOff, availEventOff   int

	// Private state, never shared with the device.
	next     []uint16 // free-list and chain links
	chainLen []uint16 // descriptors in the chain headed here; 0: not outstanding
	writable []uint32 // writable bytes in the chain headed here
	freeHead uint16
	numFree  uint16
	inFlight uint16 // chains available to the device, not yet used

	availIdx   uint16 // shadow of avail.idx
	availFlags uint16 // shadow of avail.flags
	lastUsed   uint16 // used ring index of the next entry to read
	kicked     uint16 // availIdx at the last Kick
	kickUsed   uint16 // used.idx at the last Kick
	stuck      uint8  // Kicks in a row that found the device had used nothing
	broken     bool

	notify func() // tells the device about new buffers (the transport's)

	Stats QueueStats
}

// roundUp4 pads a ring area to whole 32-bit words; see barrier.go.
func roundUp4(n int) int { return (n + 3) &^ 3 }

// newQueue allocates a queue of size entries in mem. eventIdx says
// whether VIRTIO_F_RING_EVENT_IDX was negotiated; notify is called to
// notify the device.
func newQueue(mem dma.Memory, index, size uint16, eventIdx bool, notify func()) (*Queue, error) {
	if size == 0 || size&(size-1) != 0 || size > virtiospec.MaxQueueSize {
		return nil, ErrQueueSize
	}
	n := int(size)
	q := &Queue{
		index:         index,
		size:          size,
		mask:          size - 1,
		eventIdx:      eventIdx,
		usedEventOff:  virtiospec.UsedEventOffset(n),
		availEventOff: virtiospec.AvailEventOffset(n),
		next:          make([]uint16, n),
		chainLen:      make([]uint16, n),
		writable:      make([]uint32, n),
		numFree:       size,
		notify:        notify,
	}
	// The spec asks for 16-, 2- and 4-byte alignment; the 32-bit
	// atomic accesses to the ring indices need 4 for both rings.
	q.desc, q.descPhys = mem.Alloc(virtiospec.DescTableSize(n), virtiospec.DescTableAlign)
	q.avail, q.availPhys = mem.Alloc(roundUp4(virtiospec.AvailRingSize(n)), 4)
	q.used, q.usedPhys = mem.Alloc(roundUp4(virtiospec.UsedRingSize(n)), 4)
	for i := range q.next {
		q.next[i] = uint16(i + 1)
	}
	return q, nil
}

// Index returns the queue's number in its device.
func (q *Queue) Index() uint16 { return q.index }

// Size returns the number of descriptors.
func (q *Queue) Size() int { return int(q.size) }

// NumFree returns the number of free descriptors: a chain of that many
// segments or fewer can be added.
func (q *Queue) NumFree() int { return int(q.numFree) }

// InFlight returns the number of chains the device holds.
func (q *Queue) InFlight() int { return int(q.inFlight) }

// Err returns ErrBroken once the device has broken the queue protocol,
// and nil before.
func (q *Queue) Err() error {
	if q.broken {
		return ErrBroken
	}
	return nil
}

// Add makes a chain of buffers available to the device: the readable
// segments first, then the writable ones (§2.7.4). It returns the chain's
// head, which Pop reports when the device is done with it. The device
// learns of the chain at the next Kick.
//
// Add returns ErrQueueFull, and queues nothing, if fewer than len(segs)
// descriptors are free.
func (q *Queue) Add(segs ...Seg) (head uint16, err error) {
	if q.broken {
		return 0, ErrBroken
	}
	if len(segs) == 0 || len(segs) > int(q.size) {
		return 0, ErrBadChain
	}
	var wbytes uint64
	for i, s := range segs {
		if s.Len == 0 || i > 0 && segs[i-1].Write && !s.Write {
			return 0, ErrBadChain // empty, or readable after writable
		}
		if s.Write {
			wbytes += uint64(s.Len)
		}
	}
	if wbytes > 1<<32-1 {
		return 0, ErrBadChain
	}
	if len(segs) > int(q.numFree) {
		q.Stats.Full++
		return 0, ErrQueueFull
	}

	head = q.freeHead
	d := head
	for i, s := range segs {
		var flags uint16
		if s.Write {
			flags |= virtiospec.DescFWrite
		}
		var next uint16
		if i < len(segs)-1 {
			flags |= virtiospec.DescFNext
			next = q.next[d]
		}
		e := q.desc[int(d)*virtiospec.DescSize:]
		put64(e[virtiospec.DescOffAddr:], s.Addr)
		put32(e[virtiospec.DescOffLen:], s.Len)
		put16(e[virtiospec.DescOffFlags:], flags)
		put16(e[virtiospec.DescOffNext:], next)
		if i < len(segs)-1 {
			d = q.next[d]
		}
	}
	q.freeHead = q.next[d]
	q.numFree -= uint16(len(segs))
	q.chainLen[head] = uint16(len(segs))
	q.writable[head] = uint32(wbytes)
	q.inFlight++

	// The ring entry is a plain store; the index store that follows
	// publishes it and the descriptors (barrier.go).
	put16(q.avail[virtiospec.RingOffEntries+int(q.availIdx&q.mask)*virtiospec.AvailEntrySize:], head)
	q.availIdx++
	q.publishAvail()
	q.Stats.Added++
	return head, nil
}

// publishAvail stores avail.flags and avail.idx, both the driver's, as
// one atomic word.
func (q *Queue) publishAvail() {
	store32(q.avail, virtiospec.RingOffFlags, uint32(q.availFlags)|uint32(q.availIdx)<<16)
}

// Kick notifies the device of the chains added since the last Kick,
// unless the device has said it does not need to hear: through
// avail_event if VIRTIO_F_RING_EVENT_IDX was negotiated (§2.7.10), else
// through the used ring's NO_NOTIFY flag. It reports whether it
// notified. Callers add a batch of chains and kick once.
func (q *Queue) Kick() bool {
	if q.availIdx == q.kicked {
		return false
	}
	old := q.kicked
	q.kicked = q.availIdx
	// avail.idx was stored atomically by Add; this atomic load of the
	// device's word is ordered after it (barrier.go).
	var need bool
	if q.eventIdx {
		need = virtiospec.NeedEvent(load16(q.used, q.availEventOff), q.availIdx, old)
	} else {
		need = load16(q.used, virtiospec.RingOffFlags)&virtiospec.UsedFNoNotify == 0
	}
	// A device that has used nothing over two Kicks, with chains
	// outstanding, is notified anyway. The suppression protocol needs
	// a store-load barrier on both sides, and QEMU's TCG with one vCPU
	// runs the guest's without one on the host, so the device thread
	// can miss our avail.idx while we read its stale event index;
	// then neither notifies and the queue stalls for good (seen in
	// TestNetServe: 102 transmit buffers published, avail_event at
	// the first of them, never read). A spare notification costs one
	// exit.
	used := load16(q.used, virtiospec.RingOffIdx)
	if need || used != q.kickUsed || q.inFlight == q.availIdx-old {
		q.stuck = 0 // notifying, progress, or nothing was outstanding before
	} else if q.stuck++; q.stuck >= 2 {
		need = true
		q.stuck = 0
		q.Stats.Nudges++
	}
	q.kickUsed = used
	if !need {
		q.Stats.Suppressed++
		return false
	}
	q.Stats.Notifies++
	q.notify()
	return true
}

// Pop returns the next chain the device has used, if any, and frees its
// descriptors. Used entries that name no outstanding chain are counted
// in Stats.BadID and skipped. If the device's used index runs ahead of
// the chains it holds, the queue is broken: Pop returns nothing from
// then on and Err returns ErrBroken until Reset.
func (q *Queue) Pop() (Used, bool) {
	for !q.broken {
		// The atomic load of used.idx orders the entry reads after it.
		idx := load16(q.used, virtiospec.RingOffIdx)
		pending := idx - q.lastUsed
		if pending == 0 {
			return Used{}, false
		}
		if pending > q.inFlight {
			q.broken = true
			q.Stats.BadIdx++
			return Used{}, false
		}
		e := q.used[virtiospec.RingOffEntries+int(q.lastUsed&q.mask)*virtiospec.UsedElemSize:]
		id := le32(e[virtiospec.UsedElemOffID:])
		n := le32(e[virtiospec.UsedElemOffLen:])
		q.lastUsed++
		if q.eventIdx && q.availFlags&virtiospec.AvailFNoInterrupt == 0 {
			// Ask for an interrupt at the next entry.
			store16(q.avail, q.usedEventOff, q.lastUsed)
		}
		if id >= uint32(q.size) || q.chainLen[id] == 0 {
			q.Stats.BadID++
			continue
		}
		u := Used{Head: uint16(id), Len: n}
		if n > q.writable[id] {
			q.Stats.BadLen++
			u.Len, u.Err = 0, ErrBadUsedLen
		}
		q.free(uint16(id))
		q.Stats.Used++
		return u, true
	}
	return Used{}, false
}

// free returns the chain headed by head to the free list, following the
// driver's private links.
func (q *Queue) free(head uint16) {
	n := q.chainLen[head]
	d := head
	for i := uint16(1); i < n; i++ {
		d = q.next[d]
	}
	q.next[d] = q.freeHead
	q.freeHead = head
	q.numFree += n
	q.chainLen[head] = 0
	q.writable[head] = 0
	q.inFlight--
}

// DisableInterrupts asks the device not to interrupt when it uses
// buffers. It is a hint; the device may still interrupt.
func (q *Queue) DisableInterrupts() {
	q.availFlags |= virtiospec.AvailFNoInterrupt
	q.publishAvail()
	if q.eventIdx {
		// An event index the device has already passed: with
		// EVENT_IDX the flag is ignored and this is what keeps it
		// quiet (§2.7.7).
		store16(q.avail, q.usedEventOff, q.lastUsed-1)
	}
}

// EnableInterrupts asks the device to interrupt when it next uses a
// buffer, and reports whether used buffers are already waiting; if so
// the caller must Pop them rather than wait for an interrupt that may
// never come.
func (q *Queue) EnableInterrupts() (pending bool) {
	q.availFlags &^= virtiospec.AvailFNoInterrupt
	q.publishAvail()
	if q.eventIdx {
		store16(q.avail, q.usedEventOff, q.lastUsed)
	}
	// The stores above are atomic, so this load cannot be satisfied
	// before them (barrier.go): either the device sees the request or
	// we see its entries.
	return load16(q.used, virtiospec.RingOffIdx) != q.lastUsed
}

// Reset takes back every chain the device holds, calling reclaim (if not
// nil) with each head so its owner can recycle the buffers, and clears
// the rings. Call it only after the device has been reset, when it no
// longer touches the queue; the queue must then be set up again before
// use (Device.SetupQueue does both).
func (q *Queue) Reset(reclaim func(head uint16)) {
	for h := range q.chainLen {
		if q.chainLen[h] != 0 {
			q.free(uint16(h))
			q.Stats.Reclaimed++
			if reclaim != nil {
				reclaim(uint16(h))
			}
		}
	}
	clear(q.desc)
	clear(q.avail)
	clear(q.used)
	q.availIdx, q.availFlags, q.lastUsed, q.kicked, q.kickUsed, q.stuck = 0, 0, 0, 0, 0, 0
	q.inFlight = 0
	q.broken = false
}
