// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import "unsafe"

// Memory on a unikernel is the machine's RAM, identity mapped. The heap
// is the Plan 9 model (mem_sbrk.go): the break starts at the end of the
// image and grows up to blocMax, the end of its RAM region, then goes on
// in the next region (RAM above the PCI hole, say); osinit sets both
// from the boot memory map. sbrk hands out zeroed memory, as the heap
// expects: on platforms whose loader hands over zeroed RAM it need not
// clear it (see machine.ramZeroed).

func sbrk(n uintptr) unsafe.Pointer {
	n = memRound(n)
	if bloc+n > blocMax || bloc+n < bloc {
		// Continue the break in the next RAM region that can hold
		// n bytes (the rest of this one stays unused).
		for i := range breakRegions {
			r := &breakRegions[i]
			if r.start > bloc && r.start+n <= r.end {
				bloc, blocMax = r.start, r.end
				r.start = r.end
				break
			}
		}
		if bloc+n > blocMax || bloc+n < bloc {
			return nil
		}
	}
	bl := bloc
	bloc += n
	if !mach.ramZeroed() {
		memclrNoHeapPointers(unsafe.Pointer(bl), n)
	}
	return unsafe.Pointer(bl)
}

// breakRegions are RAM regions after the one the break starts in, in
// ascending order, aligned to heap arenas: where sbrk continues when a
// region is full. osinit sets them from the boot memory map.
var breakRegions [8]struct{ start, end uintptr }

// heapStretch returns the largest page-aligned stretch of [lo, hi) that
// overlaps none of used.
func heapStretch(lo, hi uintptr, used []struct{ start, end uintptr }) (start, end uintptr) {
	freeStretches(lo, hi, used, func(a, b uintptr) {
		if b-a > end-start {
			start, end = a, b
		}
	})
	return start, end
}

// freeStretches calls f, in ascending order, with each non-empty
// page-aligned stretch of [lo, hi) that overlaps none of used. It sorts
// used by start.
func freeStretches(lo, hi uintptr, used []struct{ start, end uintptr }, f func(start, end uintptr)) {
	// Sort by start (insertion sort: a handful of entries).
	for i := 1; i < len(used); i++ {
		for j := i; j > 0 && used[j].start < used[j-1].start; j-- {
			used[j], used[j-1] = used[j-1], used[j]
		}
	}
	cur := lo
	stretch := func(a, b uintptr) {
		a, b = alignUp(a, physPageSize), alignDown(b, physPageSize)
		if b > a {
			f(a, b)
		}
	}
	for _, u := range used {
		if u.end <= cur || u.start >= hi {
			continue
		}
		stretch(cur, u.start)
		cur = max(cur, u.end)
	}
	stretch(cur, hi)
}

// ramFree returns how many bytes of RAM the runtime has not taken, for
// package syscall's sysinfo(2): the rest of the break's regions and the
// heap's free pages.
func ramFree() uint64 {
	free := uint64(blocMax - bloc)
	for _, r := range breakRegions {
		if r.end > r.start {
			free += uint64(r.end - r.start)
		}
	}
	return free + gcController.heapFree.load() + gcController.heapReleased.load()
}
