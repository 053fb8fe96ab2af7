// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package gnttab manages a domain's Xen grant table, version 1
// (xen/include/public/grant_table.h): it hands out grant references,
// fills entries that let another domain (a backend) access one of our
// frames, and ends that access only when Xen says the backend no longer
// has the frame mapped.
//
// The table itself is memory the runtime maps (XENMEM_add_to_physmap
// with XENMAPSPACE_grant_table, one frame per 512 entries) and passes
// in as a byte slice, so the package runs unchanged on the host against
// a plain slice. The frame number of a page is a function the caller
// supplies: on Mirago's xen/amd64 runtime, which identity-maps RAM, it
// is the physical address >> 12 (IdentityFrame); host tests pass fake
// frames.
//
// Memory ordering with Xen and the backend: an entry's domid and frame
// are written before its flags, and flags are written last with an
// atomic store, so a backend that sees GTF_permit_access sees the rest.
// Ending access is a compare-and-swap of the flags word, the same
// word Xen updates atomically when it sets GTF_reading or GTF_writing
// for a mapping: either Xen's mapping wins and we see the bit, or our
// clear wins and Xen's map fails. The operations touch the 32-bit word
// holding flags and domid, so the table must be 4-byte aligned.
package gnttab

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"mirago.dev/sys/xen"
)

// Ref is a grant reference: an index into the grant table, which the
// backend names to map or copy the frame.
type Ref = uint32

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrFull is returned when every reference is in use.
	ErrFull = Error("gnttab: no free grant reference")
	// ErrInUse is returned by End while the backend still has the
	// frame mapped: the frame must not be reused or freed yet.
	ErrInUse = Error("gnttab: grant still mapped by the other domain")
	// ErrBadRef is returned for a reference the table did not hand
	// out or that is not granted.
	ErrBadRef = Error("gnttab: bad grant reference")
	// ErrFrame is returned for a frame number that a v1 entry cannot
	// hold (32 bits).
	ErrFrame = Error("gnttab: frame number out of range for a v1 grant")
	// ErrTable is returned by New for a table that is not 4-byte
	// aligned or holds no usable entry.
	ErrTable = Error("gnttab: grant table too small or misaligned")
)

// Stats counts the table's traffic.
type Stats struct {
	Granted uint64 // Grant successes
	Ended   uint64 // End successes
	Busy    uint64 // End calls refused: still mapped
	Full    uint64 // Grant calls refused: no free reference
}

// Table is a v1 grant table. Its methods may be called from several
// goroutines.
type Table struct {
	mu      sync.Mutex
	entries []byte // the table, len a multiple of 8
	n       uint32 // entries
	first   uint32 // the first reference the table hands out
	next    uint32 // references from next up have never been used
	free    []Ref  // ended references, reused oldest first
	granted []bool // per reference: handed out
	later   []deferred
	Stats   Stats
}

type deferred struct {
	ref     Ref
	release func()
}

// New returns a Table over entries, the mapped grant-table frames,
// which it clears from reference first on. References below first
// (normally xen.GnttabNrReservedEntries: the toolstack's console and
// xenstore grants) are left alone.
func New(entries []byte, first uint32) (*Table, error) {
	n := uint32(len(entries) / xen.GrantEntryV1Size)
	if first >= n || uintptr(unsafe.Pointer(unsafe.SliceData(entries)))&3 != 0 {
		return nil, ErrTable
	}
	t := &Table{entries: entries, n: n, first: first, next: first, granted: make([]bool, n)}
	for r := first; r < n; r++ {
		atomic.StoreUint32(t.word(r), 0)
		atomic.StoreUint32(t.frameWord(r), 0)
	}
	return t, nil
}

// Len returns the number of entries.
func (t *Table) Len() int { return int(t.n) }

// InUse returns the number of references handed out and not ended.
func (t *Table) InUse() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(t.next-t.first) - len(t.free)
}

// word returns the 32-bit word holding entry r's flags (low half) and
// domid (high half).
func (t *Table) word(r Ref) *uint32 {
	off := int(r) * xen.GrantEntryV1Size
	_ = t.entries[off+7]
	return (*uint32)(unsafe.Pointer(&t.entries[off+xen.GrantEntryOffFlags]))
}

func (t *Table) frameWord(r Ref) *uint32 {
	off := int(r) * xen.GrantEntryV1Size
	_ = t.entries[off+7]
	return (*uint32)(unsafe.Pointer(&t.entries[off+xen.GrantEntryOffFrame]))
}

// alloc takes n references, consecutive if n > 1. t.mu is held.
func (t *Table) alloc(n int) (Ref, bool) {
	if n == 1 && len(t.free) > 0 {
		r := t.free[0]
		t.free = t.free[1:]
		return r, true
	}
	if uint64(t.next)+uint64(n) > uint64(t.n) {
		if n == 1 {
			return 0, false
		}
		// Look for a run among the ended references.
		return t.allocRun(n)
	}
	r := t.next
	t.next += uint32(n)
	return r, true
}

// allocRun finds n consecutive references in the free list.
func (t *Table) allocRun(n int) (Ref, bool) {
	isFree := make(map[Ref]bool, len(t.free))
	for _, r := range t.free {
		isFree[r] = true
	}
	for _, r := range t.free {
		ok := true
		for i := 1; i < n && ok; i++ {
			ok = isFree[r+uint32(i)]
		}
		if ok {
			kept := t.free[:0]
			for _, f := range t.free {
				if f < r || f >= r+uint32(n) {
					kept = append(kept, f)
				}
			}
			t.free = kept
			return r, true
		}
	}
	return 0, false
}

// fill makes entry r grant domid access to frame. Flags go last.
func (t *Table) fill(r Ref, domid uint16, frame uint64, readonly bool) {
	flags := uint32(xen.GTFPermitAccess)
	if readonly {
		flags |= xen.GTFReadonly
	}
	atomic.StoreUint32(t.frameWord(r), uint32(frame))
	atomic.StoreUint32(t.word(r), flags|uint32(domid)<<16)
	t.granted[r] = true
}

// Grant gives domain domid access to frame, read-only or read-write,
// and returns the reference to pass to it.
func (t *Table) Grant(domid uint16, frame uint64, readonly bool) (Ref, error) {
	return t.GrantFrames(domid, []uint64{frame}, readonly)
}

// GrantFrames grants domid access to each of frames under consecutive
// references, and returns the first.
func (t *Table) GrantFrames(domid uint16, frames []uint64, readonly bool) (Ref, error) {
	for _, f := range frames {
		if f > 1<<32-1 {
			return 0, ErrFrame
		}
	}
	if len(frames) == 0 {
		return 0, ErrBadRef
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.alloc(len(frames))
	if !ok {
		t.Stats.Full++
		return 0, ErrFull
	}
	for i, f := range frames {
		t.fill(r+uint32(i), domid, f, readonly)
	}
	t.Stats.Granted += uint64(len(frames))
	return r, nil
}

// End revokes the access granted under r and frees r for reuse. If the
// other domain still has the frame mapped (GTF_reading or GTF_writing)
// End changes nothing and returns ErrInUse: the frame must then stay
// allocated, and End be tried again later (or EndLater used).
func (t *Table) End(r Ref) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.end(r)
}

func (t *Table) end(r Ref) error {
	if r < t.first || r >= t.n || !t.granted[r] {
		return ErrBadRef
	}
	w := t.word(r)
	for {
		old := atomic.LoadUint32(w)
		if old&(xen.GTFReading|xen.GTFWriting) != 0 {
			t.Stats.Busy++
			return ErrInUse
		}
		// Clear the flags, keep the domid half as it is.
		if atomic.CompareAndSwapUint32(w, old, old&0xffff0000) {
			break
		}
	}
	t.granted[r] = false
	t.free = append(t.free, r)
	t.Stats.Ended++
	return nil
}

// EndLater ends the access granted under r now if it can, and otherwise
// at a later call of Poll or EndLater; release, if not nil, is called
// once it has ended, when the frame may be reused.
func (t *Table) EndLater(r Ref, release func()) error {
	t.mu.Lock()
	err := t.end(r)
	if err == ErrInUse {
		t.later = append(t.later, deferred{r, release})
		err = nil
		release = nil
	}
	t.mu.Unlock()
	if err == nil && release != nil {
		release()
	}
	t.Poll()
	return err
}

// Poll retries the accesses EndLater could not end, and returns how
// many are still pending.
func (t *Table) Poll() int {
	var done []func()
	t.mu.Lock()
	kept := t.later[:0]
	for _, d := range t.later {
		if t.end(d.ref) == ErrInUse {
			kept = append(kept, d)
		} else if d.release != nil {
			done = append(done, d.release)
		}
	}
	t.later = kept
	n := len(t.later)
	t.mu.Unlock()
	for _, f := range done {
		f()
	}
	return n
}
