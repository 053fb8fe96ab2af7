// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

// syncQueue runs one request at a time on a queue and waits for it:
// what the block and entropy drivers need. A request the device never
// completes keeps its buffers (the device may still write them), so the
// queue stays busy, returning ErrTimeout, until the device either
// completes it late or is reset.
type syncQueue struct {
	q *Queue
	// idle is called between polls while a request is outstanding;
	// it may wait for an interrupt. It returns false to give up. If
	// nil, the queue polls up to maxPolls times.
	idle    func() bool
	pending bool
	head    uint16
}

// run adds the chain, notifies the device and waits for the chain to
// come back.
func (s *syncQueue) run(segs []Seg) (Used, error) {
	if s.pending {
		// An earlier request timed out; see whether it is done now.
		if _, err := s.wait(true); err != nil {
			return Used{}, err
		}
	}
	head, err := s.q.Add(segs...)
	if err != nil {
		return Used{}, err
	}
	s.head, s.pending = head, true
	s.q.Kick()
	return s.wait(false)
}

// wait polls for the outstanding chain. With once set it polls only
// what is there, without idling.
func (s *syncQueue) wait(once bool) (Used, error) {
	for i := 0; ; i++ {
		for {
			u, ok := s.q.Pop()
			if !ok {
				break
			}
			if u.Head == s.head {
				s.pending = false
				return u, nil
			}
			// Anything else is not ours (the queue only returns chains
			// it handed out, and there is one at a time); ignore it.
		}
		if err := s.q.Err(); err != nil {
			return Used{}, err
		}
		if once {
			return Used{}, ErrTimeout
		}
		if s.idle != nil {
			if !s.idle() {
				return Used{}, ErrTimeout
			}
		} else if i >= maxPolls {
			return Used{}, ErrTimeout
		}
	}
}
