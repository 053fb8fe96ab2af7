// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xencons drives the Xen PV console ring
// (xen/include/public/io/console.h): the page named by
// HVM_PARAM_CONSOLE_PFN, shared with xenconsoled, signalled through
// HVM_PARAM_CONSOLE_EVTCHN.
//
// The page holds struct xencons_interface: a 2048-byte output ring the
// guest fills and a 1024-byte input ring it drains, each with a pair of
// free-running 32-bit indices (prod, cons) taken modulo the ring size.
// The logic is short on purpose, because the runtime, which cannot
// import drivers, writes its console with a copy of it:
//
//	write: prod is ours, cons is the backend's. Load cons (atomically);
//	       if prod-cons > size the backend broke the ring: stop.
//	       Copy up to size-(prod-cons) bytes to out[(prod+i) % size],
//	       then store prod+n (atomically: the bytes before the index),
//	       then notify the event channel.
//	read:  cons is ours, prod is the backend's. Load prod; if
//	       prod-cons > size: broken. Copy in[(cons+i) % size], store
//	       cons+n, notify (the backend may wait for room).
//
// The guest keeps its own copy of the index it produces (out_prod) and
// of the one it consumes (in_cons): the backend can write anywhere on
// the page, and must not be able to move our indices.
//
// Timeouts are int64 nanoseconds, measured by the clock given to New:
// the package does not import time, because the standard library
// vendors it below package syscall.
package xencons

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrBroken is returned once the backend has moved an index out
	// of range.
	ErrBroken = Error("xencons: console ring broken by the backend")
	// ErrTimeout is returned by Console.Write when the backend did
	// not make room in time.
	ErrTimeout = Error("xencons: console output stalled")
	// ErrPage is returned for a page too small or misaligned.
	ErrPage = Error("xencons: console page too small or misaligned")
)

// Ring is the console page, without the event channel.
type Ring struct {
	page    []byte
	outProd uint32      // our copy of out_prod
	inCons  uint32      // our copy of in_cons
	broken  atomic.Bool // set by either direction
}

// NewRing attaches to a console page. The indices found there are
// kept: the runtime's early console may have written already.
func NewRing(page []byte) (*Ring, error) {
	if len(page) < xen.XenconsInterfaceSize || uintptr(unsafe.Pointer(unsafe.SliceData(page)))&3 != 0 {
		return nil, ErrPage
	}
	r := &Ring{page: page}
	r.outProd = r.load(xen.XenconsOffOutProd)
	r.inCons = r.load(xen.XenconsOffInCons)
	if r.outProd-r.load(xen.XenconsOffOutCons) > xen.XenconsOutSize {
		r.broken.Store(true)
	}
	return r, nil
}

func (r *Ring) load(off int) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.page[off])))
}

func (r *Ring) store(off int, v uint32) {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&r.page[off])), v)
}

// Err returns ErrBroken once the backend broke the ring.
func (r *Ring) Err() error {
	if r.broken.Load() {
		return ErrBroken
	}
	return nil
}

// Write copies as much of p as the output ring has room for and
// returns the count. The caller notifies the backend if it is not 0.
func (r *Ring) Write(p []byte) (int, error) {
	if r.broken.Load() {
		return 0, ErrBroken
	}
	used := r.outProd - r.load(xen.XenconsOffOutCons)
	if used > xen.XenconsOutSize {
		r.broken.Store(true)
		return 0, ErrBroken
	}
	n := min(len(p), int(xen.XenconsOutSize-used))
	for i := 0; i < n; i++ {
		r.page[xen.XenconsOffOut+int((r.outProd+uint32(i))%xen.XenconsOutSize)] = p[i]
	}
	if n > 0 {
		r.outProd += uint32(n)
		r.store(xen.XenconsOffOutProd, r.outProd)
	}
	return n, nil
}

// Unsent returns the bytes written and not yet taken by the backend.
func (r *Ring) Unsent() int {
	used := r.outProd - r.load(xen.XenconsOffOutCons)
	if used > xen.XenconsOutSize {
		return 0
	}
	return int(used)
}

// Read copies waiting input into p and returns the count. The caller
// notifies the backend if it is not 0.
func (r *Ring) Read(p []byte) (int, error) {
	if r.broken.Load() {
		return 0, ErrBroken
	}
	avail := r.load(xen.XenconsOffInProd) - r.inCons
	if avail > xen.XenconsInSize {
		r.broken.Store(true)
		return 0, ErrBroken
	}
	n := min(len(p), int(avail))
	for i := 0; i < n; i++ {
		p[i] = r.page[xen.XenconsOffIn+int((r.inCons+uint32(i))%xen.XenconsInSize)]
	}
	if n > 0 {
		r.inCons += uint32(n)
		r.store(xen.XenconsOffInCons, r.inCons)
	}
	return n, nil
}

// Console is a ring with its event channel: output that waits for room
// and input that waits for bytes. Writes may come from several
// goroutines, and a read from one more at the same time. The two
// directions share one event channel, so each waits in short slices
// and looks at the ring again, rather than rely on getting the event.
type Console struct {
	wmu, rmu sync.Mutex
	r        *Ring
	ev       xenring.EventChannel
	now      func() int64
	// Timeout bounds how long Write waits for the backend to take
	// anything, in nanoseconds; < 0 waits for ever. New sets it to 5
	// seconds.
	Timeout int64
}

// waitSlice is the longest single wait for an event, in nanoseconds.
const waitSlice int64 = 10e6

// New returns a console over page and ev. now is the clock timeouts
// are measured by, in monotonic nanoseconds (the runtime's nanotime;
// tests use xenringtest.Now); it must not be nil.
func New(page []byte, ev xenring.EventChannel, now func() int64) (*Console, error) {
	r, err := NewRing(page)
	if err != nil {
		return nil, err
	}
	if now == nil {
		return nil, Error("xencons: no clock")
	}
	return &Console{r: r, ev: ev, now: now, Timeout: 5e9}, nil
}

// deadline returns the time timeout nanoseconds from now, and whether
// there is none: timeout < 0, or too far off to tell from for ever.
func (c *Console) deadline(timeout int64) (deadline int64, forever bool) {
	now := c.now()
	return now + timeout, timeout < 0 || now+timeout < now
}

// waitUntil waits for an event for at most waitSlice, and not past
// deadline (by c.now) unless forever is set. It reports false, without
// waiting, if the deadline has passed.
func (c *Console) waitUntil(deadline int64, forever bool) bool {
	slice := waitSlice
	if !forever {
		left := deadline - c.now()
		if left <= 0 {
			return false
		}
		slice = min(slice, left)
	}
	c.ev.Wait(slice)
	return true
}

// Write writes all of p, waiting for the backend to make room. It
// returns ErrTimeout, with the count written, if the backend takes
// nothing for Timeout.
func (c *Console) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	done := 0
	deadline, forever := c.deadline(c.Timeout)
	for done < len(p) {
		n, err := c.r.Write(p[done:])
		if err != nil {
			return done, err
		}
		if n > 0 {
			done += n
			c.ev.Notify()
			deadline, forever = c.deadline(c.Timeout)
			continue
		}
		if !c.waitUntil(deadline, forever) {
			return done, ErrTimeout
		}
	}
	return done, nil
}

// Read returns waiting input, waiting up to timeout nanoseconds for
// some to arrive; < 0 waits for ever. It returns 0 and no error if none
// came.
func (c *Console) Read(p []byte, timeout int64) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	deadline, forever := c.deadline(timeout)
	for {
		n, err := c.r.Read(p)
		if n > 0 {
			c.ev.Notify()
		}
		if n > 0 || err != nil || len(p) == 0 {
			return n, err
		}
		if !c.waitUntil(deadline, forever) {
			return 0, nil
		}
	}
}
