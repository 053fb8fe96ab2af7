// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenstore is a client of Xen's configuration store, xenstored,
// over the shared ring page a domU is given (HVM_PARAM_STORE_PFN and
// HVM_PARAM_STORE_EVTCHN; struct xenstore_domain_interface in
// xen/include/public/io/xs_wire.h): reads, writes, directories,
// transactions and watches, as the xenbus frontends need.
//
// The page holds two 1 KiB byte rings, requests to xenstored and its
// replies and watch events, each message a 16-byte header and up to
// 4 KiB of payload. A Client writes requests under a lock, tagged with
// request ids, and one goroutine reads the reply ring, handing each
// reply to the request with its id and each watch event to its watch.
// Requests may come from several goroutines at once.
//
// xenstored runs in another domain: the client checks every index and
// length it reads. A reply that does not parse is an error for its
// request only; an index out of range or an oversized message breaks
// the connection (ErrProtocol) rather than make the client read
// garbage or loop.
//
// The standard library vendors this package below package syscall, so
// it does not import time. Timeouts are int64 nanoseconds, the current
// time comes from the clock given to New, and the only timed wait is
// the reader's xenring.EventChannel.Wait: the reader wakes at least
// every 100ms, and at the earliest deadline of a waiting request or
// Watch.Next, and ends the waits whose deadline has passed. A deadline
// is therefore met late by up to 100ms when it is set while the reader
// sleeps.
package xenstore

import (
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

// DefaultTimeout bounds the wait for each reply: 10 seconds, in
// nanoseconds.
const DefaultTimeout int64 = 10e9

// pollInterval bounds the reader's sleep, in nanoseconds, so a lost
// event or a new deadline costs at most this much delay.
const pollInterval int64 = 100e6

// Stats counts what the client saw.
type Stats struct {
	Requests     uint64
	Replies      uint64
	Events       uint64 // watch events delivered
	EventsLost   uint64 // watch events dropped: the watch's channel was full
	Stray        uint64 // replies naming no waiting request, or events no watch
	BadEvents    uint64 // watch events that did not parse
	TxRetries    uint64 // transactions retried after EAGAIN
	RingOverruns uint64 // indices out of range (connection broken)
}

// Client talks to xenstored over a ring page.
type Client struct {
	page []byte
	ev   xenring.EventChannel
	now  func() int64
	// Timeout bounds the wait for each reply, in nanoseconds; < 0
	// waits for ever. Set it before use.
	Timeout int64

	wmu sync.Mutex // serializes writers of the request ring

	mu      sync.Mutex // guards the fields below
	nextID  uint32
	pending map[uint32]*call
	timers  map[*timer]bool   // Watch.Next's deadlines
	watches map[string]*Watch // by token
	nextTok uint64
	err     error // ErrProtocol or ErrClosed, once set
	stats   Stats

	space chan struct{} // the reader's wakeups, for writers waiting for room
	done  chan struct{}

	// The reader's partial message.
	hdr    [xen.XsdSockmsgSize]byte
	hdrN   int
	cur    reply
	want   int
	bodyN  int
	inBody bool
}

// A call is a request waiting for its reply.
type call struct {
	ch       chan reply // gets the reply; closed if none will come
	deadline int64      // when the reader gives up; < 0 never
	err      error      // set to ErrTimeout, before ch is closed, if it did
}

// A timer is a deadline the reader watches for Watch.Next: it closes
// ch once the deadline has passed.
type timer struct {
	deadline int64
	ch       chan struct{}
}

// New starts a client over page, the mapped xenstore ring page, and ev,
// its event channel. now is the clock that timeouts are measured by: it
// returns monotonic nanoseconds (the runtime's nanotime; tests use
// xenringtest.Now), and must not be nil.
func New(page []byte, ev xenring.EventChannel, now func() int64) (*Client, error) {
	if len(page) < xen.XsInterfaceSize || uintptr(unsafe.Pointer(unsafe.SliceData(page)))&3 != 0 {
		return nil, Error("xenstore: ring page too small or misaligned")
	}
	if now == nil {
		return nil, Error("xenstore: no clock")
	}
	c := &Client{
		page:    page,
		ev:      ev,
		now:     now,
		Timeout: DefaultTimeout,
		nextID:  1,
		pending: make(map[uint32]*call),
		timers:  make(map[*timer]bool),
		watches: make(map[string]*Watch),
		space:   make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	go c.reader()
	return c, nil
}

// Now returns the time by the client's clock, in monotonic
// nanoseconds: the clock New was given, by which xenbus and the
// frontends built on it (netfront, blkfront) measure their timeouts.
func (c *Client) Now() int64 { return c.now() }

// deadline returns the time timeout nanoseconds after now, or -1 (no
// deadline) if timeout < 0 or the sum overflows.
func deadline(now, timeout int64) int64 {
	if timeout < 0 || now+timeout < now {
		return -1
	}
	return now + timeout
}

// Stats returns a copy of the counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Err returns why the client can no longer be used, and nil before:
// ErrProtocol, ErrClosed, or ErrTimeout if a request timed out halfway
// onto the request ring (xenstored would read the rest of it as the
// next message).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close fails every waiting request with ErrClosed and stops the
// reader, which exits at its next wakeup. Watches stay registered with
// xenstored.
func (c *Client) Close() {
	c.fail(ErrClosed)
}

// fail marks the client unusable with err and wakes every waiter.
func (c *Client) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
	for id, cl := range c.pending {
		delete(c.pending, id)
		close(cl.ch)
	}
	for _, w := range c.watches {
		w.stop()
	}
}

func (c *Client) idx(off int) *uint32 { return (*uint32)(unsafe.Pointer(&c.page[off])) }

// reader runs until Close, draining the reply ring after every event
// and ending the waits whose deadline has passed.
func (c *Client) reader() {
	for {
		if err := c.drain(); err != nil {
			c.fail(err)
		}
		sleep := c.expire()
		select {
		case c.space <- struct{}{}:
		default:
		}
		select {
		case <-c.done:
			return
		default:
		}
		c.ev.Wait(sleep)
	}
}

// expire fails the requests and ends the Watch.Next waits whose
// deadline has passed, and returns how long the reader may sleep: until
// the next deadline, and at most pollInterval.
func (c *Client) expire() int64 {
	now := c.now()
	sleep := pollInterval
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, cl := range c.pending {
		switch left := cl.deadline - now; {
		case cl.deadline < 0:
		case left <= 0:
			delete(c.pending, id)
			cl.err = ErrTimeout
			close(cl.ch)
		default:
			sleep = min(sleep, left)
		}
	}
	for t := range c.timers {
		if left := t.deadline - now; left <= 0 {
			delete(c.timers, t)
			close(t.ch)
		} else {
			sleep = min(sleep, left)
		}
	}
	return sleep
}

// drain reads whatever the reply ring holds, dispatching each whole
// message. Memory ordering is as in xenring: indices are accessed
// atomically, the bytes between them plainly.
func (c *Client) drain() error {
	consumed := false
	defer func() {
		if consumed {
			c.ev.Notify() // xenstored may be waiting for room
		}
	}()
	for {
		if c.Err() != nil {
			return nil
		}
		cons := atomic.LoadUint32(c.idx(xen.XsOffRspCons))
		prod := atomic.LoadUint32(c.idx(xen.XsOffRspProd))
		avail := prod - cons
		if avail > xen.XenstoreRingSize {
			c.count(func(s *Stats) { s.RingOverruns++ })
			return ErrProtocol
		}
		if avail == 0 {
			return nil
		}
		// Copy what the current message still needs.
		var dst []byte
		if !c.inBody {
			dst = c.hdr[c.hdrN:]
		} else {
			dst = c.cur.payload[c.bodyN:]
		}
		n := min(int(avail), len(dst))
		for i := 0; i < n; i++ {
			dst[i] = c.page[xen.XsOffRsp+int((cons+uint32(i))&(xen.XenstoreRingSize-1))]
		}
		atomic.StoreUint32(c.idx(xen.XsOffRspCons), cons+uint32(n))
		consumed = consumed || n > 0
		if !c.inBody {
			c.hdrN += n
			if c.hdrN < len(c.hdr) {
				continue
			}
			r, want, err := parseHeader(c.hdr[:])
			if err != nil {
				return err
			}
			c.hdrN, c.inBody, c.bodyN = 0, true, 0
			r.payload = make([]byte, want)
			c.cur = r
		} else {
			c.bodyN += n
		}
		if c.inBody && c.bodyN == len(c.cur.payload) {
			c.inBody = false
			c.dispatch(c.cur)
		}
	}
}

func (c *Client) count(f func(*Stats)) {
	c.mu.Lock()
	f(&c.stats)
	c.mu.Unlock()
}

// dispatch hands a whole message to its request or watch.
func (c *Client) dispatch(r reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return // the channels are closed
	}
	if r.typ == xen.XSWatchEvent {
		path, token, err := parseWatchEvent(r.payload)
		if err != nil {
			c.stats.BadEvents++
			return
		}
		w := c.watches[token]
		if w == nil {
			c.stats.Stray++
			return
		}
		select {
		case w.ch <- path:
			c.stats.Events++
		default:
			c.stats.EventsLost++
		}
		return
	}
	cl := c.pending[r.reqID]
	if cl == nil {
		c.stats.Stray++
		return
	}
	delete(c.pending, r.reqID)
	c.stats.Replies++
	cl.ch <- r
}

// request sends a message and waits for its reply.
func (c *Client) request(op, tx uint32, payload []byte) (reply, error) {
	if len(payload) > xen.XenstorePayloadMax {
		return reply{}, ErrPath
	}
	cl := &call{ch: make(chan reply, 1), deadline: deadline(c.now(), c.Timeout)}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return reply{}, c.err
	}
	id := c.nextID
	c.nextID++
	if c.nextID == 0 {
		c.nextID = 1
	}
	c.pending[id] = cl
	c.stats.Requests++
	c.mu.Unlock()

	var msg [xen.XsdSockmsgSize]byte
	put32(msg[xen.XsdOffType:], op)
	put32(msg[xen.XsdOffReqID:], id)
	put32(msg[xen.XsdOffTxID:], tx)
	put32(msg[xen.XsdOffLen:], uint32(len(payload)))
	if err := c.send(cl.deadline, msg[:], payload); err != nil {
		c.forget(id)
		return reply{}, err
	}
	// The reader sends the reply, or closes ch: at the deadline
	// (cl.err) or when the client fails (c.Err).
	r, ok := <-cl.ch
	if !ok {
		if cl.err != nil {
			return reply{}, cl.err
		}
		return reply{}, c.Err()
	}
	return r, nil
}

func (c *Client) forget(id uint32) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// send writes parts to the request ring, waiting for room as needed.
// A message is written whole or the connection is failed: half a
// message would desynchronize xenstored. deadline is by c.now; < 0 is
// none.
func (c *Client) send(deadline int64, parts ...[]byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, p := range parts {
		for len(p) > 0 {
			if err := c.Err(); err != nil {
				return err
			}
			cons := atomic.LoadUint32(c.idx(xen.XsOffReqCons))
			prod := atomic.LoadUint32(c.idx(xen.XsOffReqProd))
			used := prod - cons
			if used > xen.XenstoreRingSize {
				c.count(func(s *Stats) { s.RingOverruns++ })
				c.fail(ErrProtocol)
				return ErrProtocol
			}
			n := min(len(p), int(xen.XenstoreRingSize-used))
			for i := 0; i < n; i++ {
				c.page[xen.XsOffReq+int((prod+uint32(i))&(xen.XenstoreRingSize-1))] = p[i]
			}
			if n > 0 {
				atomic.StoreUint32(c.idx(xen.XsOffReqProd), prod+uint32(n))
				c.ev.Notify()
				p = p[n:]
				continue
			}
			// Full: wait for the reader's next wakeup, which
			// comes within pollInterval.
			if deadline >= 0 && c.now() >= deadline {
				c.fail(ErrTimeout) // a partial message is on the ring
				return ErrTimeout
			}
			select {
			case <-c.space:
			case <-c.done:
			}
		}
	}
	return nil
}

// op runs a request and checks that the reply answers it.
func (c *Client) op(op, tx uint32, payload []byte) ([]byte, error) {
	r, err := c.request(op, tx, payload)
	if err != nil {
		return nil, err
	}
	if err := checkType(op, r); err != nil {
		return nil, err
	}
	return r.payload, nil
}

func (c *Client) read(tx uint32, path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	p, err := c.op(xen.XSRead, tx, joinNUL(true, path))
	if err != nil {
		return "", err
	}
	return string(p), nil
}

func (c *Client) write(tx uint32, path, value string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	p, err := c.op(xen.XSWrite, tx, joinNUL(false, path, value))
	if err != nil {
		return err
	}
	return parseOK(p)
}

func (c *Client) simple(op, tx uint32, path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	p, err := c.op(op, tx, joinNUL(true, path))
	if err != nil {
		return err
	}
	return parseOK(p)
}

func (c *Client) directory(tx uint32, path string) ([]string, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	p, err := c.op(xen.XSDirectory, tx, joinNUL(true, path))
	if err != nil {
		return nil, err
	}
	return parseDirectory(p)
}

// Read returns the value at path. Relative paths are relative to the
// domain's home, /local/domain/<domid>.
func (c *Client) Read(path string) (string, error) { return c.read(0, path) }

// Write sets the value at path, creating it and its parents.
func (c *Client) Write(path, value string) error { return c.write(0, path, value) }

// Mkdir creates path with an empty value.
func (c *Client) Mkdir(path string) error { return c.simple(xen.XSMkdir, 0, path) }

// Rm removes path and everything below it.
func (c *Client) Rm(path string) error { return c.simple(xen.XSRm, 0, path) }

// Directory returns the names of path's children.
func (c *Client) Directory(path string) ([]string, error) { return c.directory(0, path) }

// A Tx is a xenstore transaction: its reads see one snapshot and its
// writes take effect together when it ends, or not at all.
type Tx struct {
	c  *Client
	id uint32
}

func (t *Tx) Read(path string) (string, error)        { return t.c.read(t.id, path) }
func (t *Tx) Write(path, value string) error          { return t.c.write(t.id, path, value) }
func (t *Tx) Mkdir(path string) error                 { return t.c.simple(xen.XSMkdir, t.id, path) }
func (t *Tx) Rm(path string) error                    { return t.c.simple(xen.XSRm, t.id, path) }
func (t *Tx) Directory(path string) ([]string, error) { return t.c.directory(t.id, path) }

// ID returns the transaction's id.
func (t *Tx) ID() uint32 { return t.id }

// MaxTxRetries bounds Transaction's retries after EAGAIN.
const MaxTxRetries = 16

// Start begins a transaction; End must follow.
func (c *Client) Start() (*Tx, error) {
	p, err := c.op(xen.XSTransactionStart, 0, []byte{0})
	if err != nil {
		return nil, err
	}
	id, err := parseTxID(p)
	if err != nil {
		return nil, err
	}
	return &Tx{c: c, id: id}, nil
}

// End commits the transaction, or aborts it if commit is false. A
// commit fails with EAGAIN if what it read changed meanwhile; the
// transaction must then be run again.
func (t *Tx) End(commit bool) error {
	arg := "F"
	if commit {
		arg = "T"
	}
	p, err := t.c.op(xen.XSTransactionEnd, t.id, joinNUL(true, arg))
	if err != nil {
		return err
	}
	return parseOK(p)
}

// Transaction runs fn in a transaction and commits it, running it again
// (up to MaxTxRetries times) while the commit fails with EAGAIN. If fn
// returns an error the transaction is aborted and the error returned.
func (c *Client) Transaction(fn func(*Tx) error) error {
	for try := 0; ; try++ {
		tx, err := c.Start()
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.End(false)
			return err
		}
		err = tx.End(true)
		if err != EAGAIN || try == MaxTxRetries {
			return err
		}
		c.count(func(s *Stats) { s.TxRetries++ })
	}
}

// A Watch reports changes at or below a path.
type Watch struct {
	c     *Client
	path  string
	token string
	ch    chan string
	once  sync.Once
}

// WatchBuffer is the capacity of a watch's channel. xenstored fires a
// watch once as soon as it is set, and after every change; when the
// receiver falls this far behind, further events are dropped (counted
// in Stats.EventsLost), so receivers should treat an event as "look
// again", not as a record of each change.
const WatchBuffer = 16

// Watch asks xenstored to report changes at or below path. The first
// event comes at once.
func (c *Client) Watch(path string) (*Watch, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.nextTok++
	w := &Watch{c: c, path: path, token: "mirago/" + strconv.FormatUint(c.nextTok, 10), ch: make(chan string, WatchBuffer)}
	c.watches[w.token] = w // before the request: its first event may come before the reply
	c.mu.Unlock()
	err := c.watchOp(xen.XSWatch, path, w.token)
	if err != nil {
		c.mu.Lock()
		delete(c.watches, w.token)
		c.mu.Unlock()
		return nil, err
	}
	return w, nil
}

// C returns the channel of paths that changed. It is closed by Close,
// and when the client fails.
func (w *Watch) C() <-chan string { return w.ch }

// Path returns the watched path.
func (w *Watch) Path() string { return w.path }

// Next waits up to timeout nanoseconds (< 0 waits for ever) for the
// next change and returns its path, as a receive from C does. It
// returns ErrTimeout if none came in time, and ErrWatchClosed once C is
// closed. The deadline is kept by the client's reader, so it may pass
// up to 100ms late.
func (w *Watch) Next(timeout int64) (path string, err error) {
	select {
	case p, ok := <-w.ch:
		return w.got(p, ok)
	default:
	}
	if timeout == 0 {
		return "", ErrTimeout
	}
	var expired chan struct{} // nil, never ready, without a deadline
	if timeout > 0 {
		c := w.c
		t := &timer{deadline: deadline(c.now(), timeout), ch: make(chan struct{})}
		if t.deadline >= 0 {
			c.mu.Lock()
			c.timers[t] = true
			c.mu.Unlock()
			defer func() {
				c.mu.Lock()
				delete(c.timers, t)
				c.mu.Unlock()
			}()
			expired = t.ch
		}
	}
	select {
	case p, ok := <-w.ch:
		return w.got(p, ok)
	case <-expired:
		return "", ErrTimeout
	}
}

func (w *Watch) got(path string, ok bool) (string, error) {
	if !ok {
		return "", ErrWatchClosed
	}
	return path, nil
}

func (w *Watch) stop() { w.once.Do(func() { close(w.ch) }) } // c.mu held

// Close removes the watch.
func (w *Watch) Close() error {
	c := w.c
	c.mu.Lock()
	if c.watches[w.token] != w {
		c.mu.Unlock()
		return nil
	}
	delete(c.watches, w.token)
	w.stop()
	c.mu.Unlock()
	return c.watchOp(xen.XSUnwatch, w.path, w.token)
}

func (c *Client) watchOp(op uint32, path, token string) error {
	p, err := c.op(op, 0, joinNUL(true, path, token))
	if err != nil {
		return err
	}
	return parseOK(p)
}
