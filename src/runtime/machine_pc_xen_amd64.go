// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/stringslite"
	"math/bits"
	_ "unsafe" // for go:linkname
)

// The PC platform: a PVH guest of QEMU (microvm, pc, q35), Firecracker
// or Cloud Hypervisor, with the devices of a PC. Console on a virtio
// console where QEMU offers one (virtiocons_xen.go), on the COM1
// UART before that and otherwise; exit through QEMU's isa-debug-exit;
// time from the TSC, whose frequency the hypervisor or the command line
// states or the PIT measures, and the CMOS RTC; device interrupts
// through the I/O APICs (ioapic_xen_amd64.go); devices on virtio-mmio
// and PCI.
type pcMachine struct{}

var _ machine = (*pcMachine)(nil)

func (*pcMachine) name() string { return "pc" }

func (*pcMachine) init() uint64 {
	// COM1: 8 bits, no parity, one stop bit, FIFOs on, no interrupts.
	outb(com1+1, 0x00)
	outb(com1+3, 0x03)
	outb(com1+2, 0x07)
	outb(com1+4, 0x03)

	// Mask the 8259 PICs: their vectors would collide with exceptions.
	outb(0x21, 0xff)
	outb(0xa1, 0xff)

	hz := pcTSCFrequency()
	pcClock.tscNsMul = (1e9 << 32) / hz
	pcClock.bootWallSec = rtcRead(hz)
	if pcClock.bootWallSec == 0 {
		print(GOOS, ": no CMOS RTC: the wall clock starts at 1970\n")
	}
	pcClock.tscBase = rdtsc()
	deviceInterrupt = ioapicInterrupt
	vconsInit()
	return hz
}

// Console: the COM1 16550 UART, polled. It works before init too:
// every VMM here accepts bytes without the line being set up.
const com1 = 0x3f8

//go:nosplit
func (*pcMachine) consolePutc(c byte) {
	if vconsPutc(c) {
		return
	}
	for i := 0; i < 100000 && inb(com1+5)&0x20 == 0; i++ {
		// wait until the transmit register is empty
	}
	outb(com1, c)
}

//go:nosplit
func (*pcMachine) consoleFlush() { vconsFlush() }

// QEMU microvm's virtio-mmio transports (see internal/devices): up to
// 24 windows of 512 bytes from 0xfeb00000; past the last, reads return
// 0.
const (
	microvmMMIOBase  = 0xfeb00000
	microvmMMIOSize  = 0x200
	microvmMMIOSlots = 24
)

// vconsInit looks for a virtio console (virtiocons_xen.go) on
// microvm's transports. Firecracker, which names its transports on the
// command line, has no console device, and the windows are not probed
// there.
func vconsInit() {
	if stringslite.Index(bootCmdline, virtioMMIOWord) >= 0 {
		return
	}
	for slot := 0; slot < microvmMMIOSlots; slot++ {
		regs := uintptr(microvmMMIOBase + slot*microvmMMIOSize)
		if mmioRead32(regs+vmmioMagic) != vmmioMagicValue {
			return // past the last transport
		}
		if vconsProbe(regs) {
			return
		}
	}
}

// debugExitPort is QEMU's isa-debug-exit device as the exec wrapper
// configures it: QEMU exits with status (v<<1)|1 when v is written.
const debugExitPort = 0xf4

//go:nosplit
func (*pcMachine) exit(code int32) {
	outl(debugExitPort, uint32(code))
	// No such device: nothing more to do than stop.
	haltForever()
}

// Time. nanotime is the TSC scaled to nanoseconds since boot; walltime
// adds the CMOS RTC's time at boot.
var pcClock struct {
	tscBase     uint64
	tscNsMul    uint64 // ns = ticks * tscNsMul >> 32
	bootWallSec int64
}

//go:nosplit
func (*pcMachine) nanotime() int64 {
	hi, lo := bits.Mul64(rdtsc()-pcClock.tscBase, pcClock.tscNsMul)
	return int64(hi<<32 | lo>>32)
}

func (m *pcMachine) walltime() (sec int64, nsec int32) {
	ns := m.nanotime()
	return pcClock.bootWallSec + ns/1e9, int32(ns % 1e9)
}

func (*pcMachine) ramZeroed() bool { return true }

// The CPUs are the MADT's (smp_xen_amd64.go).
func (*pcMachine) cpuCount() int { return smpCount() }
func (*pcMachine) startCPUs()    { smpStart() }

// No console input yet: COM1's receiver is not read.
func (*pcMachine) consoleRead(p []byte) int { return 0 }
func (*pcMachine) consoleInputLine() int    { return 0 }

// Kernel command line words for the PC platform, as Linux spells them:
// virtio_mmio.device=SIZE@BASE:IRQ describes a virtio-mmio device
// (QEMU's microvm appends them without ACPI, and Firecracker always),
// which internal/devices reads (cmdlineDevices); tsc_khz=N states the
// TSC's frequency, as Linux's tsc_early_khz (pcTSCFrequency reads it
// before goenvs runs).
const (
	virtioMMIOWord = "virtio_mmio.device="
	tscKHzWord     = "tsc_khz="
)

// bootVirtioMMIO holds the values of the command line's
// virtio_mmio.device words.
var bootVirtioMMIO []string

func (*pcMachine) cmdlineWord(w string) bool {
	if v, ok := stringslite.CutPrefix(w, virtioMMIOWord); ok {
		bootVirtioMMIO = append(bootVirtioMMIO, v)
		return true
	}
	return stringslite.HasPrefix(w, tscKHzWord)
}

// devices_cmdlineDevices returns the values of the command line's
// virtio_mmio.device words.
//
//go:linkname devices_cmdlineDevices internal/devices.cmdlineDevices
func devices_cmdlineDevices() []string {
	return bootVirtioMMIO
}
func (*pcMachine) lineEnable(i int)      { ioapicLineEnable(i) }
func (*pcMachine) lineRouted(i int) bool { return ioapicLineRouted(i) }

// pcTSCFrequency returns the TSC's frequency in Hz, from the first
// source that states it: the command line's tsc_khz word (as Linux's
// tsc_early_khz; the exec wrapper passes the host's under TCG, where
// the guest's TSC is the host's), the hypervisor's timing leaf
// 0x40000010 (VMware's, which KVM and Firecracker offer), CPUID leaf
// 0x15 with its crystal clock. Failing those it is measured against
// the PIT, and the console says so, because a measurement under a
// loaded host can be off by percents.
func pcTSCFrequency() uint64 {
	if khz, ok := cmdlineTSCkHz(); ok {
		return khz * 1000
	}
	if max, _, _, _ := cpuid(0x40000000, 0); max >= 0x40000010 {
		if khz, _, _, _ := cpuid(0x40000010, 0); khz != 0 {
			return uint64(khz) * 1000
		}
	}
	if max, _, _, _ := cpuid(0, 0); max >= 0x15 {
		if den, num, crystal, _ := cpuid(0x15, 0); den != 0 && num != 0 && crystal != 0 {
			return uint64(crystal) * uint64(num) / uint64(den)
		}
	}
	hz := pitMeasureTSC()
	print(GOOS, ": TSC frequency measured against the PIT: ", hz/1000, " kHz (pass tsc_khz= to state it)\n")
	return hz
}

// cmdlineTSCkHz returns the value of the command line's tsc_khz word,
// which goenvs keeps out of the environment. It runs before the heap
// exists.
func cmdlineTSCkHz() (uint64, bool) {
	s := bootCmdline
	for len(s) > 0 {
		var w string
		w, s, _ = stringslite.Cut(s, " ")
		v, ok := stringslite.CutPrefix(w, tscKHzWord)
		if !ok {
			continue
		}
		n := uint64(0)
		for i := 0; i < len(v); i++ {
			if v[i] < '0' || v[i] > '9' || n > 1e9 {
				n = 0
				break
			}
			n = n*10 + uint64(v[i]-'0')
		}
		if n == 0 {
			print(GOOS, ": bad kernel command line: ", w, "\n")
			exit(2)
		}
		return n, true
	}
	return 0, false
}

// pitMeasureTSC counts TSC ticks over PIT channel 0 (1193182 Hz),
// reading its counter back: channel 2's output gate at port 0x61 is
// missing on some machines (QEMU microvm). It takes the median of five
// 10 ms windows, so that one window stretched by a host that
// descheduled the guest does not decide the clock.
func pitMeasureTSC() uint64 {
	const pitHz = 1193182
	const want = pitHz / 100
	outb(0x43, 0x34) // channel 0, lobyte/hibyte, mode 2
	outb(0x40, 0)    // count 65536
	outb(0x40, 0)
	var rates [5]uint64
	for r := range rates {
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
		rates[r] = (rdtsc() - t0) * pitHz / uint64(elapsed)
	}
	// Insertion sort; take the middle.
	for i := 1; i < len(rates); i++ {
		for j := i; j > 0 && rates[j] < rates[j-1]; j-- {
			rates[j], rates[j-1] = rates[j-1], rates[j]
		}
	}
	return rates[len(rates)/2]
}

// pitRead latches and returns PIT channel 0's counter.
func pitRead() uint16 {
	outb(0x43, 0x00)
	lo := inb(0x40)
	hi := inb(0x40)
	return uint16(hi)<<8 | uint16(lo)
}

// rtcRead returns the CMOS real-time clock as Unix seconds, or 0 if
// the machine has none. hz is the TSC's frequency.
func rtcRead(hz uint64) int64 {
	reg := func(r byte) byte {
		outb(0x70, r)
		return inb(0x71)
	}
	// A machine may have no RTC at these ports (QEMU's microvm with
	// rtc=off; Firecracker emulates none). The wall clock then starts
	// at 1970, as Linux's does without one. QEMU's unassigned ports
	// read as all ones: stop at once rather than after the wait below
	// gives up (100 ms under TCG, an exit to the VMM per read under
	// KVM).
	if reg(0x0a) == 0xff {
		return 0
	}
	// The update-in-progress flag stays set for under 2 ms (the
	// MC146818's update cycle); wait up to 10.
	for end := rdtsc() + hz/100; reg(0x0a)&0x80 != 0 && rdtsc() < end; {
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
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59 {
		return 0 // not a date: no RTC, or one that was never set
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
