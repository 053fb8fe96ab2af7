// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenring implements the shared request/response rings of
// Xen's split device drivers (xen/include/public/io/ring.h): the front
// end, which a driver such as netfront or blkfront uses to post
// requests to its backend domain and take back the responses, and the
// back end, which the tests' fake backends use.
//
// A ring is one page the frontend grants to the backend: a 64-byte
// header of four free-running 32-bit indices and then a power-of-2
// array of fixed-size entries (sys/xen: RingSize). The package does not
// know what the entries hold; drivers read and write them. It does
// guard the indices: the backend is another domain and may be buggy or
// hostile, so a response producer index that runs ahead of the
// requests the frontend posted marks the ring broken (Err returns
// ErrBroken) rather than making the frontend read slots that hold no
// response, loop, or panic. Entries are copied out of the shared page
// before the driver looks at them, so the backend cannot change a
// response while it is being checked.
//
// The package also states what the drivers need of the hypervisor's
// event channels (EventChannel), and offers IDs, the request-id
// bookkeeping with which drivers reject responses naming no request.
//
// The standard library vendors this package and the drivers built on
// it, below package syscall, so they must not import time (nor os,
// syscall, context, fmt or reflect): durations are int64 nanoseconds,
// the current time comes from a clock the caller supplies, and the
// only timed wait is EventChannel.Wait.
package xenring

import (
	"sync/atomic"
	"unsafe"

	"mirago.dev/sys/xen"
)

// An EventChannel is the local end of an interdomain event channel,
// the Xen equivalent of an interrupt line shared with one other domain.
// The runtime's Xen glue implements it over EVTCHNOP_send and one of
// the runtime's interrupt lines (the upcall masks and clears the port
// and raises the line; Wait unmasks the port and parks until the line
// fires); tests implement it with Go channels.
type EventChannel interface {
	// Port is the local port number, which the frontend publishes in
	// xenstore so that the backend can bind to it.
	Port() uint32
	// Notify sends an event to the remote end (EVTCHNOP_send).
	Notify()
	// Wait blocks until an event arrives on the port or timeout
	// passes, and reports whether an event came. The timeout is in
	// nanoseconds; 0 only looks for an event, and < 0 waits for ever.
	// An event that arrived since the previous Wait returned counts,
	// so none is lost between a check of the ring and the Wait. It
	// may return true spuriously: callers look at the ring again
	// either way.
	Wait(timeout int64) bool
}

// EventChannels allocates event channels for frontends.
type EventChannels interface {
	// AllocUnbound allocates a port that domain remote may bind to
	// (EVTCHNOP_alloc_unbound), and unmasks it.
	AllocUnbound(remote uint16) (EventChannel, error)
}

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrBroken is returned once the other end has broken the ring
	// protocol; the ring must be set up again.
	ErrBroken = Error("xenring: ring protocol broken by the other end")
	// ErrRingPage is returned for a ring page that is too small or
	// not 4-byte aligned.
	ErrRingPage = Error("xenring: ring page too small or misaligned")
)

// Stats counts what a front ring saw.
type Stats struct {
	Requests  uint64 // requests pushed
	Responses uint64 // responses taken
	Notifies  uint64 // pushes after which the backend asked for an event
	BadProd   uint64 // response producer index ahead of the requests; ring broken
}

// index returns a pointer to the 32-bit index at off in page.
func index(page []byte, off int) *uint32 {
	_ = page[off+3]
	return (*uint32)(unsafe.Pointer(&page[off]))
}

// ring is what both halves share: the page, its entries, their size.
type ring struct {
	page  []byte
	entry int    // bytes per entry
	size  uint32 // entries, a power of 2
}

func newRing(page []byte, entrySize int) (ring, error) {
	n := xen.RingSize(len(page), entrySize)
	if n == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(page)))&3 != 0 {
		return ring{}, ErrRingPage
	}
	return ring{page: page, entry: entrySize, size: uint32(n)}, nil
}

// slot returns the entry at ring index i.
func (r *ring) slot(i uint32) []byte {
	off := xen.SringHeaderSize + int(i&(r.size-1))*r.entry
	return r.page[off : off+r.entry : off+r.entry]
}

func (r *ring) load(off int) uint32     { return atomic.LoadUint32(index(r.page, off)) }
func (r *ring) store(off int, v uint32) { atomic.StoreUint32(index(r.page, off), v) }

// Memory ordering: both ends run concurrently on different CPUs. Every
// index is read and written with a 32-bit atomic operation; Go's atomics
// are sequentially consistent, so an entry written before the store of
// a producer index is visible to whoever loads that index, entries are
// read only after the load that shows them, and a store of our producer
// index followed by a load of the other end's event index cannot be
// reordered (the full barrier io/ring.h's PUSH_AND_CHECK_NOTIFY puts
// there). Entries themselves are plain memory, copied once.

// Front is the frontend half of a ring: it produces requests and
// consumes responses. Its methods must be called by one goroutine at a
// time.
type Front struct {
	ring
	reqProdPvt uint32 // requests filled, pushed or not
	reqProd    uint32 // requests pushed (our copy of req_prod)
	rspCons    uint32 // responses consumed
	broken     bool

	Stats Stats
}

// NewFront initialises page as an empty shared ring of entrySize-byte
// entries (SHARED_RING_INIT: indices 0, event indices 1) and returns its
// front end. The page is then granted to the backend.
func NewFront(page []byte, entrySize int) (*Front, error) {
	r, err := newRing(page, entrySize)
	if err != nil {
		return nil, err
	}
	clear(page[:xen.SringHeaderSize])
	r.store(xen.SringOffReqEvent, 1)
	r.store(xen.SringOffRspEvent, 1)
	return &Front{ring: r}, nil
}

// Size returns the number of entries.
func (f *Front) Size() int { return int(f.size) }

// Free returns how many more requests fit: those not yet answered
// occupy their slots until their responses are consumed.
func (f *Front) Free() int { return int(f.size - (f.reqProdPvt - f.rspCons)) }

// Outstanding returns the number of requests without a consumed
// response.
func (f *Front) Outstanding() int { return int(f.reqProdPvt - f.rspCons) }

// Err returns ErrBroken once the backend broke the protocol.
func (f *Front) Err() error {
	if f.broken {
		return ErrBroken
	}
	return nil
}

// Request returns the slot for the next request and its ring index,
// or ok=false if the ring is full or broken. The caller fills the slot
// (every byte that matters: it holds an old response) and calls Push to
// publish it and those before it.
func (f *Front) Request() (slot []byte, idx uint32, ok bool) {
	if f.broken || f.Free() == 0 {
		return nil, 0, false
	}
	idx = f.reqProdPvt
	f.reqProdPvt++
	return f.slot(idx), idx, true
}

// Push publishes the requests filled since the last Push and reports
// whether the backend asked to be notified of them (req_event); if so
// the caller notifies the event channel.
func (f *Front) Push() (notify bool) {
	old, new := f.reqProd, f.reqProdPvt
	if old == new {
		return false
	}
	f.store(xen.SringOffReqProd, new)
	f.reqProd = new
	f.Stats.Requests += uint64(new - old)
	notify = xen.RingNeedEvent(f.load(xen.SringOffReqEvent), new, old)
	if notify {
		f.Stats.Notifies++
	}
	return notify
}

// Response copies the next response into dst (at least an entry long)
// and returns its ring index; ok is false if there is none. When it
// finds none it first asks the backend for an event at the next
// response (rsp_event) and looks once more, so a caller that then waits
// for an event never misses one (RING_FINAL_CHECK_FOR_RESPONSES).
//
// Responses answer requests one for one, in ring order; a backend that
// claims more responses than there are pushed requests breaks the ring.
func (f *Front) Response(dst []byte) (idx uint32, ok bool) {
	return f.response(dst, true)
}

// Reclaim is Response for a ring whose responses the frontend never
// waits for, such as a transmit ring whose buffers are taken back at
// the next transmit: it does not ask for an event when it finds none,
// so the backend raises none for this ring's responses after the first
// (rsp_event stays where Init left it, and the producer moves past it).
func (f *Front) Reclaim(dst []byte) (idx uint32, ok bool) {
	return f.response(dst, false)
}

func (f *Front) response(dst []byte, arm bool) (idx uint32, ok bool) {
	if f.broken {
		return 0, false
	}
	prod := f.load(xen.SringOffRspProd)
	if prod == f.rspCons {
		if !arm {
			return 0, false
		}
		f.store(xen.SringOffRspEvent, f.rspCons+1)
		prod = f.load(xen.SringOffRspProd)
		if prod == f.rspCons {
			return 0, false
		}
	}
	if prod-f.rspCons > f.reqProd-f.rspCons {
		f.broken = true
		f.Stats.BadProd++
		return 0, false
	}
	idx = f.rspCons
	copy(dst[:f.entry], f.slot(idx))
	f.rspCons++
	f.Stats.Responses++
	return idx, true
}

// Back is the backend half of a ring, as a backend domain drives it.
// Mirago's tests use it to play netback and blkback.
type Back struct {
	ring
	reqCons    uint32
	rspProdPvt uint32
	rspProd    uint32
}

// NewBack attaches to a ring the frontend has initialised.
func NewBack(page []byte, entrySize int) (*Back, error) {
	r, err := newRing(page, entrySize)
	if err != nil {
		return nil, err
	}
	return &Back{ring: r}, nil
}

// Size returns the number of entries.
func (b *Back) Size() int { return int(b.size) }

// Request copies the next request into dst and returns its ring index,
// or ok=false if none is waiting. Like Front.Response it asks for an
// event before reporting none. It trusts the frontend.
func (b *Back) Request(dst []byte) (idx uint32, ok bool) {
	prod := b.load(xen.SringOffReqProd)
	if prod == b.reqCons {
		b.store(xen.SringOffReqEvent, b.reqCons+1)
		prod = b.load(xen.SringOffReqProd)
		if prod == b.reqCons {
			return 0, false
		}
	}
	idx = b.reqCons
	copy(dst[:b.entry], b.slot(idx))
	b.reqCons++
	return idx, true
}

// Response returns the slot for the next response and its ring index.
// It is the slot of the request consumed as many responses ago, which
// is what netif's receive ring relies on.
func (b *Back) Response() (slot []byte, idx uint32) {
	idx = b.rspProdPvt
	b.rspProdPvt++
	return b.slot(idx), idx
}

// Push publishes the responses filled since the last Push and reports
// whether the frontend asked for an event.
func (b *Back) Push() (notify bool) {
	old, new := b.rspProd, b.rspProdPvt
	if old == new {
		return false
	}
	b.store(xen.SringOffRspProd, new)
	b.rspProd = new
	return xen.RingNeedEvent(b.load(xen.SringOffRspEvent), new, old)
}

// SetRspProd stores v as the response producer index without
// publishing any response: what a hostile backend does.
func (b *Back) SetRspProd(v uint32) {
	b.store(xen.SringOffRspProd, v)
	b.rspProd, b.rspProdPvt = v, v
}

// Pending returns the requests published and not yet consumed.
func (b *Back) Pending() int { return int(b.load(xen.SringOffReqProd) - b.reqCons) }
