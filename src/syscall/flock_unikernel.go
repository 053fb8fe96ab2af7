// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "sync"

// Whole-file advisory locks, as flock(2) keeps them on Linux: a lock
// belongs to an open file description, so descriptors that dup shares
// hold it together, and a second open of the same file competes with
// the first. Databases such as bbolt take one to keep a second user
// of their file out; in a unikernel that user can only be another
// goroutine of the same program, which a lock without LOCK_NB waits
// for.

const (
	LOCK_SH = 0x1
	LOCK_EX = 0x2
	LOCK_NB = 0x4
	LOCK_UN = 0x8
)

// flockState is the lock state of an inode: one exclusive holder, or
// any number of shared ones.
type flockState struct {
	excl   *openFile
	shared map[*openFile]bool
}

// flockChanged wakes the Flock calls that wait, when a lock is dropped.
var flockChanged = sync.Cond{L: &fs.mu}

// Flock applies or removes an advisory lock on the file open as fd.
// Converting a lock is not atomic, as on Linux: the old lock is
// dropped before the new one is waited for.
func Flock(fd int, how int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	var excl bool
	switch how &^ LOCK_NB {
	case LOCK_UN:
		f.ip.unlock(f)
		return nil
	case LOCK_SH:
	case LOCK_EX:
		excl = true
	default:
		return EINVAL
	}
	ip := f.ip
	if ip.flock == nil {
		ip.flock = &flockState{shared: map[*openFile]bool{}}
	}
	l := ip.flock
	if l.excl == f && excl || l.shared[f] && !excl {
		return nil // held already
	}
	ip.unlock(f)
	for l.excl != nil || excl && len(l.shared) > 0 {
		if how&LOCK_NB != 0 {
			return EWOULDBLOCK
		}
		flockChanged.Wait()
		if f.refs == 0 {
			return EBADF // closed by another goroutine while waiting
		}
	}
	if excl {
		l.excl = f
	} else {
		l.shared[f] = true
	}
	return nil
}

// unlock drops f's lock on ip, if it holds one. fs.mu must be held.
func (ip *inode) unlock(f *openFile) {
	l := ip.flock
	if l == nil || l.excl != f && !l.shared[f] {
		return
	}
	if l.excl == f {
		l.excl = nil
	}
	delete(l.shared, f)
	flockChanged.Broadcast()
}
