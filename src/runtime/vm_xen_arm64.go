// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// Page protection. rt0 turns the MMU on with an identity map of large
// blocks, all of RAM writable and executable (rt0_xen_arm64.s). vmInit
// replaces it with the same map at the image's finer grain, as Linux
// maps a program: text read-only and executable, read-only data
// read-only, everything else, data, BSS, heap and stacks, writable and
// never executable. So a write to text or to a string literal faults
// (reflect's tests check that), and so does a jump into the heap.
//
// The new tables are built beside the old ones and take over with one
// write of TTBR0_EL1: the code that switches runs at the same address
// and with the same attributes under both, so no break-before-make is
// needed, only TLB maintenance.

// Stage 1 descriptors (VMSAv8-64, 4 KiB granule): a level 1 or 2 block
// (bits 1:0 = 01), a table or a level 3 page (11); the MAIR index
// (rt0's 1, normal write-back) in bits 4:2, inner shareable, the access
// flag, read-only at EL1 (AP[2], bit 7), and execute-never at EL1 and
// EL0 (PXN, UXN).
const (
	pteBlock    = 1
	pteTable    = 3
	ptePage     = 3
	pteNormal   = 1<<2 | 3<<8 | 1<<10
	pteReadOnly = 1 << 7
	pteNoExec   = 1<<53 | 1<<54

	pteEntries = 512
	l2Size     = 2 << 20 // what a level 2 entry maps
	l1Size     = 1 << 30 // what a level 1 entry maps
	ramGiBs    = 16      // rt0 maps GiBs 1 to 15 as RAM
)

// vmInit builds and loads the fine-grained map. It runs in osinit,
// after memInit, and takes its tables from the break.
func vmInit() {
	md := &firstmoduledata
	// The image starts at the 2 MiB block it is linked in (the Image
	// header is its first bytes); text ends at etext, read-only data at
	// noptrdata, the first writable section.
	imageStart := md.text &^ (l2Size - 1)
	textEnd := alignUp(md.etext, physPageSize)
	roEnd := alignDown(md.noptrdata, physPageSize)
	if imageStart>>30 != 1 || (roEnd-1)>>30 != 1 {
		fatalBoot("the image is not in the second GiB, where vmInit maps it")
	}
	nL3 := (alignUp(roEnd, l2Size) - imageStart) / l2Size
	// The level 1 table, level 2 tables for GiBs 0 and 1, and level
	// 3 tables for the image.
	const nFixed = 3
	tables := uintptr(sbrk((nFixed + nL3) * physPageSize))
	if tables == 0 {
		fatalBoot("no memory for the page tables")
	}
	memclrNoHeapPointers(unsafe.Pointer(tables), (nFixed+nL3)*physPageSize)
	l1 := (*[pteEntries]uint64)(unsafe.Pointer(tables))
	l2 := (*[pteEntries]uint64)(unsafe.Pointer(tables + physPageSize))
	l2dev := (*[pteEntries]uint64)(unsafe.Pointer(tables + 2*physPageSize))

	// GiB 0 has rt0's device blocks, but for the blocks that hold the
	// pages a Xen domain shares with the toolstack there, which are
	// normal memory.
	old := (*[pteEntries]uint64)(unsafe.Pointer(bootPageTables))
	*l2dev = *(*[pteEntries]uint64)(unsafe.Pointer(uintptr(old[0]) &^ (physPageSize - 1)))
	if _, ok := mach.(*xenMachine); ok {
		for _, p := range xenSharedPages() {
			if p != 0 && p < l1Size && p >= l2Size {
				b := p &^ (l2Size - 1)
				l2dev[b/l2Size] = uint64(b) | pteBlock | pteNormal | pteNoExec
			}
		}
	}
	l1[0] = uint64(uintptr(unsafe.Pointer(l2dev))) | pteTable
	l1[1] = uint64(uintptr(unsafe.Pointer(l2))) | pteTable
	for i := 2; i < ramGiBs; i++ {
		l1[i] = uint64(i)*l1Size | pteBlock | pteNormal | pteNoExec
	}
	for i := range pteEntries {
		block := uintptr(1)*l1Size + uintptr(i)*l2Size
		if block < imageStart || block >= imageStart+nL3*l2Size {
			l2[i] = uint64(block) | pteBlock | pteNormal | pteNoExec
			continue
		}
		l3 := (*[pteEntries]uint64)(unsafe.Pointer(tables + (nFixed+(block-imageStart)/l2Size)*physPageSize))
		for j := range pteEntries {
			page := block + uintptr(j)*physPageSize
			attr := uint64(ptePage | pteNormal)
			switch {
			case page < textEnd:
				attr |= pteReadOnly
			case page < roEnd:
				attr |= pteReadOnly | pteNoExec
			default:
				attr |= pteNoExec
			}
			l3[j] = uint64(page) | attr
		}
		l2[i] = uint64(uintptr(unsafe.Pointer(l3))) | pteTable
	}
	ttbr0Switch(tables)
}

// ttbr0Switch loads the translation tables at l1 (sys_xen_arm64.s).
func ttbr0Switch(l1 uintptr)

// tlbFlush flushes this CPU's TLB (tlbRefresh; sys_xen_arm64.s).
func tlbFlush()
