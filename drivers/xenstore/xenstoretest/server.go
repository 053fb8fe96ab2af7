// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenstoretest is a fake xenstored for host tests: it speaks
// the wire protocol of xen/include/public/io/xs_wire.h over a ring page
// shared with a xenstore.Client, keeps a tree of nodes, runs
// transactions and fires watches, and lets a test play a backend
// driver (hooks on writes) or a hostile daemon (raw replies).
package xenstoretest

import (
	"encoding/binary"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/sys/xen"
)

// Msg is a request the server received.
type Msg struct {
	Type, ReqID, TxID uint32
	Payload           []byte
}

// Fields splits the payload at NUL bytes.
func (m Msg) Fields() []string {
	return strings.Split(strings.TrimSuffix(string(m.Payload), "\x00"), "\x00")
}

type watch struct{ path, abs, token string }

type tx struct {
	snap map[string]string
	ops  []func(*Store)
}

// Server is a fake xenstored.
type Server struct {
	mu      sync.Mutex
	page    []byte
	end     *xenringtest.End
	home    string
	nodes   map[string]string
	watches []watch
	txs     map[uint32]*tx
	nextTx  uint32
	in, out []byte

	// FailCommits makes the next FailCommits transaction commits fail
	// with EAGAIN, as when another domain wrote what they read.
	FailCommits int
	// OnWrite, if set, runs after each committed change to a node,
	// with the server locked: a fake backend reacting to a frontend.
	OnWrite func(st *Store, path, value string)
	// Reply, if set, may replace the reply to a request with raw
	// bytes (header included), or with nothing at all.
	Reply func(m Msg) (raw []byte, replace bool)
	// Requests records every request received.
	Requests []Msg
}

// NewServer returns a server for domain domid, the ring page it shares
// with the client and the client's end of the event channel.
func NewServer(domid uint16) (*Server, []byte, *xenringtest.End) {
	page := make([]byte, xen.PageSize)
	client, server := xenringtest.NewPair(1, 2)
	s := &Server{
		page:   page,
		end:    server,
		home:   "/local/domain/" + strconv.Itoa(int(domid)),
		nodes:  map[string]string{"/": "", "/local": "", "/local/domain": ""},
		txs:    make(map[uint32]*tx),
		nextTx: 1,
	}
	s.nodes[s.home] = ""
	server.OnEvent(s.kick)
	return s, page, client
}

// Page returns the shared ring page, for tests that corrupt it.
func (s *Server) Page() []byte { return s.page }

// Home returns the domain's home path.
func (s *Server) Home() string { return s.home }

func (s *Server) idx(off int) *uint32 { return (*uint32)(unsafe.Pointer(&s.page[off])) }

// Store is the server's tree as hooks and tests change it.
type Store struct{ s *Server }

// Do runs f with the tree locked, then delivers any replies and events.
func (s *Server) Do(f func(st *Store)) {
	s.mu.Lock()
	f(&Store{s})
	s.flush()
	s.mu.Unlock()
	s.end.Notify()
}

// Write sets a node (absolute or relative to the home) and fires
// watches.
func (st *Store) Write(path, value string) { st.s.write(st.s.abs(path), value) }

// Read returns a node's value.
func (st *Store) Read(path string) (string, bool) {
	v, ok := st.s.nodes[st.s.abs(path)]
	return v, ok
}

// Rm removes a node and its children and fires watches.
func (st *Store) Rm(path string) { st.s.rm(st.s.abs(path)) }

// Read returns a node's value, locking the server.
func (s *Server) Read(path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.nodes[s.abs(path)]
	return v, ok
}

func (s *Server) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return s.home + "/" + p
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

func (s *Server) write(abs, value string) {
	for p := parent(abs); ; p = parent(p) {
		if _, ok := s.nodes[p]; ok {
			break
		}
		s.nodes[p] = ""
	}
	s.nodes[abs] = value
	s.fire(abs)
	if s.OnWrite != nil {
		s.OnWrite(&Store{s}, abs, value)
	}
}

func (s *Server) rm(abs string) {
	for p := range s.nodes {
		if p == abs || strings.HasPrefix(p, abs+"/") {
			delete(s.nodes, p)
		}
	}
	s.fire(abs)
}

// fire queues an event for every watch at or above abs.
func (s *Server) fire(abs string) {
	for _, w := range s.watches {
		if abs == w.abs || strings.HasPrefix(abs, w.abs+"/") {
			path := abs
			if !strings.HasPrefix(w.path, "/") {
				path = strings.TrimPrefix(abs, s.home+"/")
			}
			s.queue(xen.XSWatchEvent, 0, 0, []byte(path+"\x00"+w.token+"\x00"))
		}
	}
}

// queue appends a message to the outgoing bytes.
func (s *Server) queue(typ, reqID, txID uint32, payload []byte) {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], typ)
	binary.LittleEndian.PutUint32(h[4:], reqID)
	binary.LittleEndian.PutUint32(h[8:], txID)
	binary.LittleEndian.PutUint32(h[12:], uint32(len(payload)))
	s.out = append(s.out, h[:]...)
	s.out = append(s.out, payload...)
}

// kick runs on every event from the client: take requests, answer them,
// write out what fits.
func (s *Server) kick() {
	s.mu.Lock()
	cons := atomic.LoadUint32(s.idx(xen.XsOffReqCons))
	prod := atomic.LoadUint32(s.idx(xen.XsOffReqProd))
	took := prod != cons
	for ; cons != prod; cons++ {
		s.in = append(s.in, s.page[xen.XsOffReq+int(cons&(xen.XenstoreRingSize-1))])
	}
	atomic.StoreUint32(s.idx(xen.XsOffReqCons), cons)
	for len(s.in) >= 16 {
		n := int(binary.LittleEndian.Uint32(s.in[12:]))
		if len(s.in) < 16+n {
			break
		}
		m := Msg{
			Type:    binary.LittleEndian.Uint32(s.in[0:]),
			ReqID:   binary.LittleEndian.Uint32(s.in[4:]),
			TxID:    binary.LittleEndian.Uint32(s.in[8:]),
			Payload: append([]byte(nil), s.in[16:16+n]...),
		}
		s.in = s.in[16+n:]
		s.Requests = append(s.Requests, m)
		s.handle(m)
	}
	wrote := s.flush()
	s.mu.Unlock()
	if took || wrote {
		s.end.Notify()
	}
}

// flush writes as much of the outgoing bytes as the reply ring takes.
func (s *Server) flush() bool {
	cons := atomic.LoadUint32(s.idx(xen.XsOffRspCons))
	prod := atomic.LoadUint32(s.idx(xen.XsOffRspProd))
	n := 0
	for n < len(s.out) && prod-cons < xen.XenstoreRingSize {
		s.page[xen.XsOffRsp+int(prod&(xen.XenstoreRingSize-1))] = s.out[n]
		prod++
		n++
	}
	s.out = s.out[n:]
	atomic.StoreUint32(s.idx(xen.XsOffRspProd), prod)
	return n > 0
}

// handle answers one request.
func (s *Server) handle(m Msg) {
	if s.Reply != nil {
		if raw, ok := s.Reply(m); ok {
			s.out = append(s.out, raw...)
			return
		}
	}
	ok := func() { s.queue(m.Type, m.ReqID, m.TxID, []byte("OK\x00")) }
	fail := func(e string) { s.queue(xen.XSError, m.ReqID, m.TxID, []byte(e+"\x00")) }
	f := m.Fields()
	var t *tx
	if m.TxID != 0 {
		if t = s.txs[m.TxID]; t == nil {
			fail("ENOENT")
			return
		}
	}
	nodes := s.nodes
	if t != nil {
		nodes = t.snap
	}
	switch m.Type {
	case xen.XSRead:
		v, found := nodes[s.abs(f[0])]
		if !found {
			fail("ENOENT")
			return
		}
		s.queue(m.Type, m.ReqID, m.TxID, []byte(v))
	case xen.XSDirectory:
		abs := s.abs(f[0])
		if _, found := nodes[abs]; !found {
			fail("ENOENT")
			return
		}
		var names []string
		prefix := strings.TrimSuffix(abs, "/") + "/"
		for p := range nodes {
			if rest, cut := strings.CutPrefix(p, prefix); cut && rest != "" && !strings.Contains(rest, "/") {
				names = append(names, rest)
			}
		}
		sort.Strings(names)
		var b []byte
		for _, n := range names {
			b = append(b, n...)
			b = append(b, 0)
		}
		s.queue(m.Type, m.ReqID, m.TxID, b)
	case xen.XSWrite, xen.XSMkdir, xen.XSRm:
		path, value := f[0], ""
		if m.Type == xen.XSWrite {
			path, value, _ = strings.Cut(string(m.Payload), "\x00")
		}
		abs := s.abs(path)
		if m.Type == xen.XSRm {
			if _, found := nodes[abs]; !found {
				fail("ENOENT")
				return
			}
		}
		if m.Type == xen.XSMkdir {
			if _, found := nodes[abs]; found {
				ok()
				return
			}
		}
		op := func(st *Store) {
			if m.Type == xen.XSRm {
				st.s.rm(abs)
			} else {
				st.s.write(abs, value)
			}
		}
		if t != nil {
			t.ops = append(t.ops, op)
			if m.Type == xen.XSRm {
				delete(t.snap, abs)
			} else {
				t.snap[abs] = value
			}
		} else {
			op(&Store{s})
		}
		ok()
	case xen.XSTransactionStart:
		id := s.nextTx
		s.nextTx++
		snap := make(map[string]string, len(s.nodes))
		for k, v := range s.nodes {
			snap[k] = v
		}
		s.txs[id] = &tx{snap: snap}
		s.queue(m.Type, m.ReqID, 0, []byte(strconv.Itoa(int(id))+"\x00"))
	case xen.XSTransactionEnd:
		if t == nil {
			fail("EINVAL")
			return
		}
		delete(s.txs, m.TxID)
		if f[0] == "T" {
			if s.FailCommits > 0 {
				s.FailCommits--
				fail("EAGAIN")
				return
			}
			for _, op := range t.ops {
				op(&Store{s})
			}
		}
		ok()
	case xen.XSWatch:
		if len(f) < 2 {
			fail("EINVAL")
			return
		}
		w := watch{path: f[0], abs: s.abs(f[0]), token: f[1]}
		s.watches = append(s.watches, w)
		ok()
		s.queue(xen.XSWatchEvent, 0, 0, []byte(f[0]+"\x00"+f[1]+"\x00"))
	case xen.XSUnwatch:
		kept := s.watches[:0]
		for _, w := range s.watches {
			if len(f) < 2 || w.path != f[0] || w.token != f[1] {
				kept = append(kept, w)
			}
		}
		s.watches = kept
		ok()
	default:
		fail("ENOSYS")
	}
}

// Watches returns the number of registered watches.
func (s *Server) Watches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watches)
}
