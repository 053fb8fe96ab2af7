// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// Page tables for xen/amd64. rt0 maps the low 4 GiB with large pages,
// all writable and executable. vmInit replaces that map with one that
// gives the protections a Linux process has:
//
//   - page 0 is not mapped, so nil dereferences fault (the compiler
//     omits nil checks for small offsets, as minLegalPointer assumes);
//   - the image's segments get their ELF permissions: text read-only
//     and executable, rodata read-only, data and bss writable but not
//     executable;
//   - all other memory, the heap included, is writable and not
//     executable; memory that the memory map does not call RAM (the
//     local APIC, device MMIO) is uncached.
//
// Memory stays identity mapped: the low 4 GiB and any RAM above. Where a 2 MiB region has the same
// attributes throughout it is one large page, otherwise a table of
// 4 KiB pages taken from the break.

const (
	ptePresent  = 1 << 0
	pteWritable = 1 << 1
	ptePWT      = 1 << 3
	ptePCD      = 1 << 4
	pteLarge    = 1 << 7
	pteNX       = 1 << 63

	pageSize4K = 4 << 10
	pageSize2M = 2 << 20

	msrEFER   = 0xc0000080
	eferNXE   = 1 << 11
	cr0WP     = 1 << 16
	elfPTLoad = 1
	elfPFX    = 1
	elfPFW    = 2
)

var (
	hasNX bool

	// imageLoads are the image's PT_LOAD segments (from its own ELF
	// header, which the first segment contains).
	imageLoads  [8]struct{ start, end, flags uintptr }
	nImageLoads int
)

// vmInit builds and loads the page tables. It runs in osinit, after
// pvhInit has set the break and read the memory map.
func vmInit(mm []hvmMemmapEntry) {
	_, _, _, edx := cpuid(0x80000001, 0)
	hasNX = edx&(1<<20) != 0
	if hasNX {
		wrmsr(msrEFER, rdmsr(msrEFER)|eferNXE)
	}
	vmReadImage()

	// Attributes change only at these addresses; a 2 MiB region that
	// contains none of them strictly inside is uniform.
	var bounds [64]uintptr
	nb := 0
	add := func(a uintptr) {
		if nb < len(bounds) {
			bounds[nb] = a
			nb++
		}
	}
	add(pageSize4K) // page 0
	for i := 0; i < nImageLoads; i++ {
		add(imageLoads[i].start)
		add(imageLoads[i].end)
	}
	for _, e := range mm {
		add(uintptr(e.addr))
		add(uintptr(e.addr + e.size))
	}
	if nb == len(bounds) {
		fatalBoot("memory map too fragmented")
	}

	pml4 := vmAllocTable()
	pdpt := vmAllocTable()
	pml4[0] = uint64(uintptr(unsafe.Pointer(pdpt))) | ptePresent | pteWritable
	mapEnd := uintptr(identityMapEnd)
	for _, r := range breakRegions {
		mapEnd = max(mapEnd, alignUp(r.end, 1<<30))
	}
	if mapEnd>>30 > 512 {
		fatalBoot("more than 512 GiB of address space to map")
	}
	for gib := uintptr(0); gib < mapEnd>>30; gib++ {
		pd := vmAllocTable()
		pdpt[gib] = uint64(uintptr(unsafe.Pointer(pd))) | ptePresent | pteWritable
		for i := range pd {
			base := gib<<30 + uintptr(i)*pageSize2M
			uniform := true
			for _, b := range bounds[:nb] {
				if b > base && b < base+pageSize2M {
					uniform = false
					break
				}
			}
			if uniform {
				pd[i] = uint64(base) | vmAttrs(base, mm) | pteLarge
				continue
			}
			pt := vmAllocTable()
			for j := range pt {
				a := base + uintptr(j)*pageSize4K
				pt[j] = uint64(a) | vmAttrs(a, mm)
			}
			pd[i] = uint64(uintptr(unsafe.Pointer(pt))) | ptePresent | pteWritable
		}
	}
	writeCR3(uintptr(unsafe.Pointer(pml4)))
	writeCR0(readCR0() | cr0WP) // read-only pages are read-only for the kernel too
}

// vmAttrs returns the page table entry bits for the page at a.
func vmAttrs(a uintptr, mm []hvmMemmapEntry) uint64 {
	if a < pageSize4K {
		return 0 // not present
	}
	attrs := uint64(ptePresent | pteWritable)
	exec := false
	for i := 0; i < nImageLoads; i++ {
		if l := &imageLoads[i]; l.start <= a && a < l.end {
			if l.flags&elfPFW == 0 {
				attrs &^= pteWritable
			}
			exec = l.flags&elfPFX != 0
		}
	}
	if !exec && hasNX {
		attrs |= pteNX
	}
	ram := false
	for _, e := range mm {
		if uintptr(e.addr) <= a && a < uintptr(e.addr+e.size) {
			// RAM, ACPI tables and ACPI NVS are memory; the rest is
			// device space.
			ram = e.typ == hvmMemmapTypeRAM || e.typ == hvmMemmapTypeACPI || e.typ == hvmMemmapTypeNVS
		}
	}
	if !ram {
		attrs |= ptePCD | ptePWT
	}
	return attrs
}

// devices_deviceMemory reports whether the size bytes at addr are
// device memory: mapped at their physical address, uncached, because
// the memory map does not call them RAM (see vmAttrs).
//
//go:linkname devices_deviceMemory internal/devices.deviceMemory
func devices_deviceMemory(addr, size uintptr) bool {
	if size == 0 || addr < pageSize4K || addr+size < addr || addr+size > identityMapEnd {
		return false
	}
	for _, e := range bootMemmap {
		if uintptr(e.addr) < addr+size && addr < uintptr(e.addr+e.size) &&
			(e.typ == hvmMemmapTypeRAM || e.typ == hvmMemmapTypeACPI || e.typ == hvmMemmapTypeNVS) {
			return false
		}
	}
	return true
}

// vmReadImage finds the image's PT_LOAD segments in its ELF header,
// which the linker places one page below the text.
func vmReadImage() {
	hdr := firstmoduledata.text - pageSize4K
	if *(*uint32)(unsafe.Pointer(hdr)) != 0x464c457f { // "\x7fELF"
		fatalBoot("cannot find the image's ELF header")
	}
	phoff := *(*uint64)(unsafe.Pointer(hdr + 32))
	phentsize := uintptr(*(*uint16)(unsafe.Pointer(hdr + 54)))
	phnum := int(*(*uint16)(unsafe.Pointer(hdr + 56)))
	for i := 0; i < phnum; i++ {
		ph := hdr + uintptr(phoff) + uintptr(i)*phentsize
		if *(*uint32)(unsafe.Pointer(ph)) != elfPTLoad || nImageLoads == len(imageLoads) {
			continue
		}
		flags := uintptr(*(*uint32)(unsafe.Pointer(ph + 4)))
		vaddr := uintptr(*(*uint64)(unsafe.Pointer(ph + 16)))
		memsz := uintptr(*(*uint64)(unsafe.Pointer(ph + 40)))
		imageLoads[nImageLoads] = struct{ start, end, flags uintptr }{
			alignDown(vaddr, pageSize4K), alignUp(vaddr+memsz, pageSize4K), flags,
		}
		nImageLoads++
	}
}

// vmAllocTable returns a zeroed page for a page table, from the break.
func vmAllocTable() *[512]uint64 {
	p := sbrk(pageSize4K)
	if p == nil {
		fatalBoot("out of memory for page tables")
	}
	t := (*[512]uint64)(p)
	*t = [512]uint64{}
	return t
}

// Implemented in sys_xen_amd64.s.
func readCR0() uintptr
func writeCR0(v uintptr)
func writeCR3(v uintptr)

// tlbFlush flushes this CPU's TLB (tlbRefresh).
//
//go:nosplit
func tlbFlush() {
	writeCR3(readCR3())
}
