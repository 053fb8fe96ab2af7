// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// GOOS=xen on amd64: an image booted through the PVH entry
// (rt0_xen_amd64.s) on one of two platforms, chosen at boot by the
// hypervisor's CPUID signature: a PVH domain of Xen
// (machine_xenpvh_xen_amd64.go), or a PC as QEMU, Firecracker and Cloud
// Hypervisor emulate it (machine_pc_xen_amd64.go). Both pass the start
// info, which gives the command line, the memory map and the modules.

// pvhStartInfo is the physical address of struct hvm_start_info, saved
// by rt0 (see xen/include/public/arch-x86/hvm/start_info.h).
var pvhStartInfo uintptr

// hostedMessage is printed by an image that is run as a Linux program
// instead of being booted (hostedExit, cpu_unikernel_amd64.s), which
// then exits 126.
var hostedMessage = "this is a GOOS=xen image, not a Linux program: boot it with go_xen_amd64_exec IMAGE (QEMU; in $GOROOT/bin) or xl create (Xen)\n"

// The start info's structures are in defs_pvh_xen_amd64.go, generated
// from mirago.dev/sys/pvh.

// identityMapEnd is the end of the memory that rt0 maps.
const identityMapEnd = 4 << 30

func osinit() {
	mach = selectMachine()
	trapInit()
	syscallTrapInit()
	physPageSize = 4096
	initBloc()
	pvhInit()
	getg().m.procid = 1
	threadsInit()
	hz := mach.init()
	cpuHz = hz
	vmInit(bootMemmap)
	lapicInit(hz)
	machCPUs = int32(mach.cpuCount())
	numCPUStartup = getCPUCount()
}

// selectMachine returns the platform the image runs on: Xen if a
// hypervisor CPUID leaf has Xen's signature, a PC otherwise.
func selectMachine() machine {
	if xenCPUIDBase() != 0 {
		return &xenMachine{}
	}
	return &pcMachine{}
}

// pvhInit reads the start info: the command line, and the memory the
// heap may grow into.
func pvhInit() {
	si := (*hvmStartInfo)(unsafe.Pointer(pvhStartInfo))
	if pvhStartInfo == 0 || si.magic != pvhStartMagic {
		fatalBoot("no PVH start info (bad magic)")
	}
	if si.cmdlinePaddr != 0 {
		p := (*byte)(unsafe.Pointer(uintptr(si.cmdlinePaddr)))
		bootCmdline = unsafe.String(p, findnull(p))
	}
	if si.version < 1 || si.memmapEntries == 0 {
		fatalBoot("the loader passed no memory map (PVH start info version 0)")
	}

	// The heap grows in the RAM region the image sits in, in the
	// largest stretch after the image that holds nothing the loader
	// placed there (start info, memory map, command line, modules):
	// QEMU puts those below the image or at the top of RAM, Xen right
	// after the image.
	limit := uintptr(0)
	mm := unsafe.Slice((*hvmMemmapEntry)(unsafe.Pointer(uintptr(si.memmapPaddr))), si.memmapEntries)
	for _, e := range mm {
		if e.typ == hvmMemmapTypeRAM && uintptr(e.addr) <= bloc && bloc < uintptr(e.addr+e.size) {
			limit = uintptr(e.addr + e.size)
		}
	}
	if limit == 0 {
		fatalBoot("no RAM after the image in the memory map")
	}
	limit = min(limit, identityMapEnd, 1<<heapAddrBits)
	var used [2*maxBootModules + 5]struct{ start, end uintptr }
	nused := 0
	loaderUsed := func(addr, size uint64) {
		if nused == len(used)-1 { // one left for lowRAMFree
			fatalBoot("more than 12 boot modules")
		}
		used[nused].start, used[nused].end = uintptr(addr)&^(physPageSize-1), uintptr(addr+size)
		nused++
	}
	loaderUsed(uint64(pvhStartInfo), uint64(unsafe.Sizeof(*si)))
	loaderUsed(si.memmapPaddr, uint64(si.memmapEntries)*uint64(unsafe.Sizeof(mm[0])))
	loaderUsed(si.cmdlinePaddr, uint64(len(bootCmdline)+1))
	if si.nrModules > 0 {
		mods := unsafe.Slice((*hvmModlistEntry)(unsafe.Pointer(uintptr(si.modlistPaddr))), si.nrModules)
		loaderUsed(si.modlistPaddr, uint64(si.nrModules)*uint64(unsafe.Sizeof(mods[0])))
		for _, m := range mods {
			loaderUsed(m.paddr, m.size)
			if m.cmdlinePaddr != 0 {
				p := (*byte)(unsafe.Pointer(uintptr(m.cmdlinePaddr)))
				loaderUsed(m.cmdlinePaddr, uint64(findnull(p)+1))
			}
		}
	}
	start, end := heapStretch(bloc, limit, used[:nused])
	if end-start < 4<<20 {
		fatalBoot("less than 4 MiB of free RAM after the image")
	}
	bloc, blocMax = start, end
	limit = end
	// Keep a copy: the loader may have put the map in page 0, which
	// vmInit leaves unmapped to catch nil pointers (SeaBIOS does, on
	// QEMU's pc and q35 machines).
	if len(mm) > len(bootMemmapBuf) {
		fatalBoot("the loader's memory map has more than 128 entries")
	}
	bootMemmap = bootMemmapBuf[:copy(bootMemmapBuf[:], mm)]
	used[nused].start, used[nused].end = apTrampoline, apPD+pageSize4K
	lowRAMFree(mm, used[:nused+1])

	// Other RAM above the image, up to what heap addresses reach,
	// for the break to continue in.
	n := 0
	for _, e := range mm {
		start := alignUp(uintptr(e.addr), heapArenaBytes)
		end := alignDown(min(uintptr(e.addr+e.size), 1<<heapAddrBits), physPageSize)
		if e.typ != hvmMemmapTypeRAM || start <= limit || end <= start || n == len(breakRegions) {
			continue
		}
		breakRegions[n].start, breakRegions[n].end = start, end
		n++
	}
}

// maxBootModules is how many boot modules pvhInit accepts.
const maxBootModules = 12

// lowRAMEnd is the end of low memory, where firmware and loaders put
// their tables and nothing of the image goes.
const lowRAMEnd = 1 << 20

// lowRAMFree hands the RAM below lowRAMEnd that nothing uses (page 0
// stays unmapped; used holds what the loader placed there and the AP
// trampoline's pages, whatever their order) to the free list of
// mem_sbrk.go, where the runtime's first allocations take from before
// the break moves. Those are its metadata (the allocator's immortal
// chunk, the heap index, the page allocator's summaries): a few
// hundred KiB that otherwise sit between the image and the first heap
// arena, which must start at a multiple of heapArenaBytes. In a small
// machine they decide whether that arena still fits (examples/hello in
// 8 MiB needs the first arena at 4 MiB, right after its metadata).
func lowRAMFree(mm []hvmMemmapEntry, used []struct{ start, end uintptr }) {
	for _, e := range mm {
		if e.typ != hvmMemmapTypeRAM || uintptr(e.addr) >= lowRAMEnd {
			continue
		}
		freeStretches(max(uintptr(e.addr), pageSize4K), min(uintptr(e.addr+e.size), lowRAMEnd), used, func(a, b uintptr) {
			// Not zeroed: firmware ran here. memFree clears it.
			memFree(unsafe.Pointer(a), b-a)
		})
	}
}

// syscall_memInfo tells package syscall (sysinfo(2)) how many bytes of
// RAM the loader's memory map gives the machine and how many of them
// the runtime has not taken: the rest of the break's regions and the
// heap's free pages.
//
//go:linkname syscall_memInfo syscall.memInfo
func syscall_memInfo() (total, free uint64) {
	for _, e := range bootMemmap {
		if e.typ == hvmMemmapTypeRAM {
			total += e.size
		}
	}
	return total, min(ramFree(), total)
}

// bootMemmap is the loader's memory map, copied into bootMemmapBuf.
var (
	bootMemmap    []hvmMemmapEntry
	bootMemmapBuf [128]hvmMemmapEntry
)

// syscall_bootModules returns the boot modules (QEMU -initrd, Xen
// module lines) and their command lines, for package syscall to mount.
// The memory stays the loader's: the heap never grows over it.
//
//go:linkname syscall_bootModules syscall.bootModules
func syscall_bootModules() (mods [][]byte, cmdlines []string) {
	si := (*hvmStartInfo)(unsafe.Pointer(pvhStartInfo))
	if si.nrModules == 0 {
		return nil, nil
	}
	for _, m := range unsafe.Slice((*hvmModlistEntry)(unsafe.Pointer(uintptr(si.modlistPaddr))), si.nrModules) {
		mods = append(mods, unsafe.Slice((*byte)(unsafe.Pointer(uintptr(m.paddr))), m.size))
		cmdline := ""
		if m.cmdlinePaddr != 0 {
			p := (*byte)(unsafe.Pointer(uintptr(m.cmdlinePaddr)))
			cmdline = unsafe.String(p, findnull(p))
		}
		cmdlines = append(cmdlines, cmdline)
	}
	return mods, cmdlines
}

// Implemented in sys_xen_amd64.s.
func outb(port uint16, val uint8)
func outw(port uint16, val uint16)
func outl(port uint16, val uint32)
func inb(port uint16) uint8
func inw(port uint16) uint16
func inl(port uint16) uint32
func rdtsc() uint64
func haltForever()
func rdmsr(msr uint32) uint64
func wrmsr(msr uint32, v uint64)

// Port I/O for internal/devices, which needs it for PCI configuration
// space (its portio_xen_amd64.go) and cannot import the runtime: one
// implementation of the instructions for the whole machine.

//go:linkname devices_inb internal/devices.inb
func devices_inb(port uint16) uint8 { return inb(port) }

//go:linkname devices_inw internal/devices.inw
func devices_inw(port uint16) uint16 { return inw(port) }

//go:linkname devices_inl internal/devices.inl
func devices_inl(port uint16) uint32 { return inl(port) }

//go:linkname devices_outb internal/devices.outb
func devices_outb(port uint16, v uint8) { outb(port, v) }

//go:linkname devices_outw internal/devices.outw
func devices_outw(port uint16, v uint16) { outw(port, v) }

//go:linkname devices_outl internal/devices.outl
func devices_outl(port uint16, v uint32) { outl(port, v) }
