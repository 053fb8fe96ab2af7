// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"math/bits"
	"unsafe"
)

// The machine under a GOOS=xen image on amd64: booted through the PVH
// entry (rt0_xen_amd64.s), with the PC devices every VMM here offers.
// Console on the COM1 UART; exit through QEMU's isa-debug-exit device;
// time from the TSC, calibrated against the PIT, and the CMOS RTC;
// entropy from RDSEED/RDRAND.

// pvhStartInfo is the physical address of struct hvm_start_info, saved
// by rt0 (see xen/include/public/arch-x86/hvm/start_info.h).
var pvhStartInfo uintptr

const pvhStartMagic = 0x336ec578

// hvmStartInfo is struct hvm_start_info, version 1.
type hvmStartInfo struct {
	magic         uint32
	version       uint32
	flags         uint32
	nrModules     uint32
	modlistPaddr  uint64
	cmdlinePaddr  uint64
	rsdpPaddr     uint64
	memmapPaddr   uint64 // version >= 1
	memmapEntries uint32 // version >= 1
	_             uint32
}

// hvmModlistEntry is struct hvm_modlist_entry.
type hvmModlistEntry struct {
	paddr        uint64
	size         uint64
	cmdlinePaddr uint64
	_            uint64
}

// hvmMemmapEntry is struct hvm_memmap_table_entry.
type hvmMemmapEntry struct {
	addr uint64
	size uint64
	typ  uint32
	_    uint32
}

const hvmMemmapTypeRAM = 1

// identityMapEnd is the end of the memory that rt0 maps.
const identityMapEnd = 4 << 30

func osinit() {
	trapInit()
	physPageSize = 4096
	consoleInit()
	initBloc()
	pvhInit()
	numCPUStartup = getCPUCount()
	getg().m.procid = 1
	vmInit(bootMemmap)
	clockInit()
	lapicInit()
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

	// The heap grows from the end of the image up to the end of the
	// RAM region the image sits in, and below anything the loader
	// placed above the image.
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
	below := func(addr, size uint64) {
		if uintptr(addr+size) > bloc && uintptr(addr) < limit {
			limit = max(uintptr(addr)&^(physPageSize-1), bloc)
		}
	}
	below(uint64(pvhStartInfo), uint64(unsafe.Sizeof(*si)))
	below(si.memmapPaddr, uint64(si.memmapEntries)*uint64(unsafe.Sizeof(mm[0])))
	below(si.cmdlinePaddr, uint64(len(bootCmdline)+1))
	if si.nrModules > 0 {
		mods := unsafe.Slice((*hvmModlistEntry)(unsafe.Pointer(uintptr(si.modlistPaddr))), si.nrModules)
		below(si.modlistPaddr, uint64(si.nrModules)*uint64(unsafe.Sizeof(mods[0])))
		for _, m := range mods {
			below(m.paddr, m.size)
		}
	}
	blocMax = limit
	// Keep a copy: the loader may have put the map in page 0, which
	// vmInit leaves unmapped to catch nil pointers (SeaBIOS does, on
	// QEMU's pc and q35 machines).
	if len(mm) > len(bootMemmapBuf) {
		fatalBoot("the loader's memory map has more than 128 entries")
	}
	bootMemmap = bootMemmapBuf[:copy(bootMemmapBuf[:], mm)]

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

// fatalBoot reports a boot failure in one line and stops.
func fatalBoot(msg string) {
	print("xen: ", msg, "\n")
	exit(2)
}

// Console: the COM1 16550 UART.
const com1 = 0x3f8

func consoleInit() {
	outb(com1+1, 0x00) // no interrupts
	outb(com1+3, 0x03) // 8 bits, no parity, one stop bit
	outb(com1+2, 0x07) // enable and clear FIFOs
	outb(com1+4, 0x03) // DTR, RTS
}

//go:nosplit
func consolePutc(c byte) {
	for i := 0; i < 100000 && inb(com1+5)&0x20 == 0; i++ {
		// wait until the transmit register is empty
	}
	outb(com1, c)
}

// write1 writes fd 1 and 2 to the console.
//
//go:nosplit
func write1(fd uintptr, p unsafe.Pointer, n int32) int32 {
	if fd != 1 && fd != 2 {
		return -_EBADF
	}
	b := unsafe.Slice((*byte)(p), n)
	for _, c := range b {
		consolePutc(c)
	}
	return n
}

const _EBADF = 9

// debugExitPort is QEMU's isa-debug-exit device as the exec wrapper
// configures it: QEMU exits with status (v<<1)|1 when v is written.
const debugExitPort = 0xf4

//go:nosplit
func exit(code int32) {
	outl(debugExitPort, uint32(code))
	// No such device: nothing more to do than stop.
	haltForever()
}

// Time. nanotime is the TSC scaled to nanoseconds since boot; walltime
// adds the CMOS RTC's time at boot.
var (
	tscBase     uint64
	tscNsMul    uint64 // ns = ticks * tscNsMul >> 32
	bootWallSec int64
)

func clockInit() {
	hz := tscFrequency()
	tscNsMul = (1e9 << 32) / hz
	tscPerNsMul, _ = bits.Div64(hz>>32, hz<<32, 1e9)
	bootWallSec = rtcRead()
	tscBase = rdtsc()
}

// tscFrequency returns the TSC's frequency in Hz: from the hypervisor's
// timing leaf where there is one, else measured against the PIT.
func tscFrequency() uint64 {
	if max, _, _, _ := cpuid(0x40000000, 0); max >= 0x40000010 {
		if khz, _, _, _ := cpuid(0x40000010, 0); khz != 0 {
			return uint64(khz) * 1000
		}
	}
	// Count 10 ms of PIT channel 0 (1193182 Hz), reading its counter
	// back: channel 2's output gate at port 0x61 is missing on some
	// machines (QEMU microvm).
	const pitHz = 1193182
	const want = pitHz / 100
	outb(0x43, 0x34) // channel 0, lobyte/hibyte, mode 2
	outb(0x40, 0)    // count 65536
	outb(0x40, 0)
	prev := pitRead()
	t0 := rdtsc()
	elapsed := 0
	for i := 0; elapsed < want; i++ {
		if i > 1e7 {
			fatalBoot("cannot calibrate the TSC: the PIT does not count")
		}
		cur := pitRead()
		elapsed += int(prev - cur) // counts down; uint16 wraps
		prev = cur
	}
	return (rdtsc() - t0) * pitHz / uint64(elapsed)
}

// pitRead latches and returns PIT channel 0's counter.
func pitRead() uint16 {
	outb(0x43, 0x00)
	lo := inb(0x40)
	hi := inb(0x40)
	return uint16(hi)<<8 | uint16(lo)
}

//go:nosplit
func nanotime1() int64 {
	hi, lo := bits.Mul64(rdtsc()-tscBase, tscNsMul)
	return int64(hi<<32 | lo>>32)
}

func walltime() (sec int64, nsec int32) {
	ns := nanotime()
	return bootWallSec + ns/1e9, int32(ns % 1e9)
}

// rtcRead returns the CMOS real-time clock as Unix seconds.
func rtcRead() int64 {
	reg := func(r byte) byte {
		outb(0x70, r)
		return inb(0x71)
	}
	for i := 0; i < 1e6 && reg(0x0a)&0x80 != 0; i++ {
		// wait while an update is in progress
	}
	sec, min, hour := reg(0x00), reg(0x02), reg(0x04)
	day, mon, year, cent := reg(0x07), reg(0x08), reg(0x09), reg(0x32)
	status := reg(0x0b)
	pm := hour&0x80 != 0
	hour &^= 0x80
	if status&0x04 == 0 { // BCD
		bcd := func(v byte) byte { return v>>4*10 + v&0x0f }
		sec, min, hour = bcd(sec), bcd(min), bcd(hour)
		day, mon, year, cent = bcd(day), bcd(mon), bcd(year), bcd(cent)
	}
	if status&0x02 == 0 && pm { // 12-hour clock
		hour = (hour + 12) % 24
	}
	y := int64(year) + 100*int64(cent)
	if cent == 0 {
		y += 2000
	}
	return unixSeconds(y, int64(mon), int64(day), int64(hour), int64(min), int64(sec))
}

// unixSeconds converts a UTC calendar time to Unix seconds.
func unixSeconds(year, mon, day, hour, min, sec int64) int64 {
	// Days from civil, counting years from March.
	if mon <= 2 {
		year--
		mon += 12
	}
	era := year / 400
	yoe := year - era*400
	doy := (153*(mon-3)+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + hour*3600 + min*60 + sec
}

// readRandom fills r from RDSEED, or RDRAND where there is no RDSEED.
// It returns how many bytes it filled: 0 without either instruction.
func readRandom(r []byte) int {
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	hasRDSEED, hasRDRAND := ebx7&(1<<18) != 0, ecx1&(1<<30) != 0
	if !hasRDSEED && !hasRDRAND {
		return 0
	}
	n := 0
	for n < len(r) {
		var v uint64
		ok := false
		for try := 0; try < 100 && !ok; try++ {
			if hasRDSEED {
				v, ok = rdseed64()
			} else {
				v, ok = rdrand64()
			}
		}
		if !ok {
			break
		}
		for i := 0; i < 8 && n < len(r); i++ {
			r[n] = byte(v)
			v >>= 8
			n++
		}
	}
	return n
}

// Implemented in sys_xen_amd64.s.
func outb(port uint16, val uint8)
func inb(port uint16) uint8
func outl(port uint16, val uint32)
func rdtsc() uint64
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func rdseed64() (uint64, bool)
func rdrand64() (uint64, bool)
func haltForever()
func rdmsr(msr uint32) uint64
func wrmsr(msr uint32, v uint64)
