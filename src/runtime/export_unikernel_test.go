// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// Export guts for testing.

package runtime

import "unsafe"

// IdleMsOnWaitList puts each CPU's idle M at the head of a mutex's
// wait list, as lock2 does when the M waits (lock_spinbit.go), and
// reads the head back as unlock2 does to wake it. It returns how many
// CPUs have an idle M, and those whose M comes back at another
// address.
func IdleMsOnWaitList() (n int, lost []int) {
	for c := range cpus {
		mp := cpus[c].idleM
		if mp == nil {
			continue
		}
		n++
		key := uintptr(unsafe.Pointer(mp))&^mutexMMask | mutexSleeping | mutexLocked
		if mutexWaitListHead(key).ptr() != mp {
			lost = append(lost, c)
		}
	}
	return n, lost
}
