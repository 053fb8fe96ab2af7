// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenring

// IDs hands out request ids 0..n-1 and takes them back exactly once, so
// a driver can tell a response to one of its requests from a response
// the backend invented or repeated. The zero value has no ids; use
// NewIDs.
type IDs struct {
	free []uint16
	busy []bool
}

// NewIDs returns n ids, all free; n is at most 65536.
func NewIDs(n int) *IDs {
	s := &IDs{free: make([]uint16, n), busy: make([]bool, n)}
	for i := range s.free {
		s.free[i] = uint16(n - 1 - i) // Get hands out 0 first
	}
	return s
}

// Get returns a free id and marks it outstanding.
func (s *IDs) Get() (id uint16, ok bool) {
	if len(s.free) == 0 {
		return 0, false
	}
	id = s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	s.busy[id] = true
	return id, true
}

// Put frees an outstanding id. It reports false, changing nothing, for
// an id out of range or not outstanding: a response to reject.
func (s *IDs) Put(id uint64) bool {
	if id >= uint64(len(s.busy)) || !s.busy[id] {
		return false
	}
	s.busy[id] = false
	s.free = append(s.free, uint16(id))
	return true
}

// Busy reports whether id is outstanding.
func (s *IDs) Busy(id uint64) bool { return id < uint64(len(s.busy)) && s.busy[id] }

// Outstanding returns the number of ids handed out and not put back.
func (s *IDs) Outstanding() int { return len(s.busy) - len(s.free) }
