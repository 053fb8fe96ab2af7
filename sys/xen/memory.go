// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// Memory operations (memory.h), HYPERVISOR_memory_op(cmd, arg).
const (
	XenmemIncreaseReservation = 0
	XenmemDecreaseReservation = 1
	XenmemMaximumRAMPage      = 2
	XenmemCurrentReservation  = 3
	XenmemMaximumReservation  = 4
	XenmemPopulatePhysmap     = 6
	XenmemAddToPhysmap        = 7
	XenmemMemoryMap           = 9
	XenmemMaximumGPFN         = 14
	XenmemRemoveFromPhysmap   = 15
)

// Spaces XENMEM_add_to_physmap maps from (XENMAPSPACE_*).
const (
	XenmapspaceSharedInfo = 0 // the shared_info page; idx 0
	XenmapspaceGrantTable = 1 // grant-table frame idx
	XenmapspaceGMFN       = 2
	XenmapspaceGMFNRange  = 3
	// XenmapidxGrantTableStatus in idx asks for a v2 status frame.
	XenmapidxGrantTableStatus = 0x80000000
)

// AddToPhysmap is struct xen_add_to_physmap: make frame Idx of Space
// appear at guest frame GPFN of domain Domid (DomidSelf).
type AddToPhysmap struct {
	Domid uint16
	Size  uint16 // pages, for XENMAPSPACE_gmfn_range
	Space uint32
	Idx   uint64
	GPFN  uint64
}

// MemoryMap is struct xen_memory_map: NrEntries is the capacity of
// Buffer on the call and the number filled on return; Buffer is the
// guest address of an array of E820Entry.
type MemoryMap struct {
	NrEntries uint32
	_         uint32
	Buffer    uint64
}

// E820Entry is an entry of XENMEM_memory_map's buffer, "in the same
// format as returned by the BIOS INT 0x15 EAX=0xE820 call" (memory.h):
// 20 bytes, packed, so Go cannot lay it out as a struct; read it with
// these offsets.
const (
	E820EntrySize = 20
	E820OffAddr   = 0
	E820OffSize   = 8
	E820OffType   = 16
	E820RAM       = 1
	E820Reserved  = 2
	E820ACPI      = 3
	E820NVS       = 4
	E820Unusable  = 5
)
