// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"internal/stringslite"
	"math/bits"
	"unsafe"
)

// The Xen platform: a PVH domain of Xen. There is no UART, PIT, CMOS
// clock or I/O APIC, and no exit device. The domain talks to Xen
// through hypercalls and to the toolstack's daemons through shared
// pages and event channels:
//
//   - the shared info page, which the domain places in its own memory
//     (XENMEM_add_to_physmap), holds the clocks and the event channel
//     bitmaps;
//   - the console is a ring page that xenconsoled reads, named by the
//     HVM parameters CONSOLE_PFN and CONSOLE_EVTCHN; before it is
//     found, output goes to I/O port 0xE9, which Xen copies to its own
//     console;
//   - time is Xen's system time (vcpu_time_info: the TSC scaled by
//     Xen's factors), and the time of day its wall clock;
//   - event channels interrupt through one vector (the HVM callback,
//     HVM_PARAM_CALLBACK_IRQ), and each channel a driver waits on is a
//     device interrupt line (irq_unikernel.go);
//   - the program's exit ends the domain with SCHEDOP_shutdown:
//     poweroff for status 0, crash otherwise, after a last console
//     line, "mirago: exit status N", from which the host reads the
//     status.
//
// Timers and idle use the local APIC, which Xen emulates for PVH
// domains (apic_xen_amd64.go), programmed in TSC ticks at the
// frequency Xen states; an idle HLT blocks the vCPU in Xen, as
// SCHEDOP_block would, so an idle domain costs the host nothing.
//
// Numbers and layouts are from Xen's public headers
// (xen/include/public/): xen.h, memory.h, sched.h, event_channel.h,
// hvm/hvm_op.h, hvm/params.h, io/console.h, arch-x86/xen-x86_64.h.
type xenMachine struct{}

var _ machine = xenMachine{}

func (xenMachine) name() string { return "xen" }

// The ABI's structures and numbers are in defs_xenpvh_xen_amd64.go,
// generated from mirago.dev/sys/xen.

// xenUpcallVector is the upcall vector: one of the device vectors
// (trap_xen_amd64.go), which no I/O APIC uses on Xen.
const xenUpcallVector = 33

// xenVMMCALL is set on AMD CPUs, whose hypercall instruction is VMMCALL,
// not Intel's VMCALL (xenHypercall).
var xenVMMCALL bool

var xen struct {
	shared *xenSharedInfo

	console     *xenConsoleRing // nil until init finds it
	consolePort uint32
	consoleDead bool // xenconsoled stopped reading

	upcallEOI bool // upcalls come through the local APIC, which wants an EOI

	lastNanotime int64

	// linePorts is the event channel of each device interrupt line;
	// 0 is no line. Written by goroutines (devices_xenEventChannelLine)
	// and read by the upcall: a line is set before its port is ever
	// unmasked, so the upcall never sees a half-made binding.
	linePorts [maxIRQLine + 1]uint32
}

// xenCPUIDBase returns the first of Xen's CPUID leaves, 0 if the
// machine is not a Xen domain. Xen puts them at 0x40000000, or
// 0x100 leaves higher when it offers another hypervisor's first
// (Viridian, for Windows guests).
func xenCPUIDBase() uint32 {
	for base := uint32(0x40000000); base < 0x40010000; base += 0x100 {
		max, b, c, d := cpuid(base, 0)
		// "XenVMMXenVMM" in EBX, ECX, EDX.
		if b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e && max-base >= 2 {
			return base
		}
	}
	return 0
}

func (xenMachine) init() uint64 {
	base := xenCPUIDBase()
	_, b, c, d := cpuid(0, 0)
	// "AuthenticAMD" or "HygonGenuine": SVM, whose hypercall
	// instruction is VMMCALL. Calling the instruction directly
	// rather than through a hypercall page needs no page that is both
	// written by Xen and executable.
	xenVMMCALL = b == 0x68747541 && c == 0x444d4163 && d == 0x69746e65 ||
		b == 0x6f677948 && c == 0x656e6975 && d == 0x6e65476e

	// The shared info page, in a page of our own RAM.
	page := sbrk(1 << xenPageShift)
	if page == nil {
		fatalBoot("out of memory for Xen's shared info page")
	}
	xatp := xenAddToPhysmap{domid: xenDomIDSelf, space: xenMapSpaceSharedInfo, gpfn: uint64(uintptr(page)) >> xenPageShift}
	if rc := xenHypercall(xenHypercallMemoryOp, xenMemAddToPhysmap, unsafe.Pointer(&xatp), 0); rc != 0 {
		xenFatal("XENMEM_add_to_physmap(shared_info)", rc)
	}
	xen.shared = (*xenSharedInfo)(page)

	// Mask every event channel; a driver unmasks the ones it waits
	// on. Then take upcalls on the callback vector.
	for i := range xen.shared.evtchnMask {
		atomic.Store64(&xen.shared.evtchnMask[i], ^uint64(0))
	}
	xen.shared.vcpuInfo[0].evtchnUpcallMask = 0
	deviceInterrupt = xenUpcall
	// Upcalls arrive as an interrupt of the local APIC
	// (HVMOP_set_evtchn_upcall_vector), as Linux takes them, with an
	// EOI like any other. Xen's older domain-wide callback vector
	// (HVM_PARAM_CALLBACK_IRQ) bypasses the local APIC; under nested
	// virtualization it was seen injected into the upcall handler
	// itself, with interrupts off, and storming. It stays the fallback.
	//
	// HVM_PARAM_CALLBACK_IRQ is set either way, to none with the
	// per-vCPU vector: setting it is what makes Xen latch the shared
	// info's layout and write its wall clock (hvm_latch_shinfo_size),
	// which walltime reads.
	callback := uint64(xenCallbackTypeVector | xenUpcallVector)
	uv := xenHVMEvtchnUpcallVector{vector: xenUpcallVector}
	if rc := xenHypercall(xenHypercallHVMOp, xenHVMOpSetEvtchnUpcallVector, unsafe.Pointer(&uv), 0); rc == 0 {
		xen.upcallEOI = true
		callback = 0
	}
	if rc := xenSetParam(xenHVMParamCallbackIRQ, callback); rc != 0 {
		xenFatal("HVM_PARAM_CALLBACK_IRQ", rc)
	}

	// The console ring.
	pfn, rc1 := xenGetParam(xenHVMParamConsolePFN)
	port, rc2 := xenGetParam(xenHVMParamConsoleEvtchn)
	if rc1 == 0 && rc2 == 0 && pfn != 0 {
		xen.consolePort = uint32(port)
		xen.console = (*xenConsoleRing)(unsafe.Pointer(uintptr(pfn << xenPageShift)))
	}

	// Xen fills in the vCPU's time info when it next schedules it.
	t := &xen.shared.vcpuInfo[0].time
	for i := 0; i < 100 && atomic.Load(&t.version) == 0; i++ {
		xenHypercall(xenHypercallSchedOp, xenSchedOpYield, nil, 0)
	}
	if atomic.Load(&t.version) == 0 || t.tscToSystemMul == 0 {
		fatalBoot("Xen gives this domain no time (vcpu_time_info is empty)")
	}
	return xenTSCFrequency(base)
}

// xenTSCFrequency returns the TSC's frequency in Hz: from Xen's TSC
// leaf (base+3, sub-leaf 0: the guest's TSC frequency in kHz in ECX),
// else from the scale Xen gives for system time, which is the same
// frequency, less precise.
func xenTSCFrequency(base uint32) uint64 {
	if max, _, _, _ := cpuid(base, 0); max >= base+3 {
		if _, _, khz, _ := cpuid(base+3, 0); khz != 0 {
			return uint64(khz) * 1000
		}
	}
	// ns = (ticks << shift) * mul >> 32, so
	// Hz = 1e9 << 32 / mul, shifted back.
	t := &xen.shared.vcpuInfo[0].time
	hz := uint64(1e9<<32) / uint64(t.tscToSystemMul)
	if t.tscShift >= 0 {
		return hz >> t.tscShift
	}
	return hz << -t.tscShift
}

// nanotime is Xen's system time, read as Xen publishes it: the fields
// are consistent when the version was even and did not change while
// they were read.
//
//go:nosplit
func (xenMachine) nanotime() int64 {
	t := &xen.shared.vcpuInfo[0].time
	var ns int64
	for {
		v := atomic.Load(&t.version)
		if v&1 != 0 {
			continue
		}
		stamp, sys := t.tscTimestamp, t.systemTime
		mul, shift := t.tscToSystemMul, t.tscShift
		delta := rdtsc() - stamp
		if atomic.Load(&t.version) != v {
			continue
		}
		if shift >= 0 {
			delta <<= shift
		} else {
			delta >>= -shift
		}
		hi, lo := bits.Mul64(delta, uint64(mul))
		ns = int64(sys + (hi<<32 | lo>>32))
		break
	}
	// Never go back, across Xen's updates of the scale.
	if ns < xen.lastNanotime {
		return xen.lastNanotime
	}
	xen.lastNanotime = ns
	return ns
}

// walltime is Xen's wall clock, the time of day at system time 0,
// plus system time.
func (m xenMachine) walltime() (sec int64, nsec int32) {
	s := xen.shared
	var wsec, wnsec int64
	for {
		v := atomic.Load(&s.wcVersion)
		if v&1 != 0 {
			continue
		}
		wsec = int64(s.wcSecHi)<<32 | int64(s.wcSec)
		wnsec = int64(s.wcNsec)
		if atomic.Load(&s.wcVersion) == v {
			break
		}
	}
	ns := m.nanotime() + wnsec
	return wsec + ns/1e9, int32(ns % 1e9)
}

// consolePutc puts c in the console ring's output half, and
// consoleFlush notifies xenconsoled. When the ring is full, consolePutc
// waits for xenconsoled, giving the CPU back to Xen, for up to a
// second; a console nobody reads then loses output rather than
// stopping the program.
//
//go:nosplit
func (xenMachine) consolePutc(c byte) {
	r := xen.console
	if r == nil || xen.consoleDead {
		outb(0xe9, c)
		return
	}
	prod := r.outProd
	used := prod - atomic.Load(&r.outCons)
	if used > uint32(len(r.out)) {
		xen.consoleDead = true // xenconsoled moved the index out of the ring
		return
	}
	if used == uint32(len(r.out)) && !xenConsoleFlush(false) {
		return
	}
	r.out[prod%uint32(len(r.out))] = c
	atomic.Store(&r.outProd, prod+1) // after the byte
}

//go:nosplit
func (xenMachine) consoleFlush() {
	if xen.console != nil && !xen.consoleDead {
		xenNotify(xen.consolePort)
	}
}

// consoleRead takes what xenconsoled put in the ring's input half.
func (xenMachine) consoleRead(p []byte) int {
	r := xen.console
	if r == nil {
		return 0
	}
	cons, prod := r.inCons, atomic.Load(&r.inProd)
	avail := prod - cons
	if avail > uint32(len(r.in)) {
		return 0 // xenconsoled moved the index out of the ring
	}
	n := min(uint32(len(p)), avail)
	for i := uint32(0); i < n; i++ {
		p[i] = r.in[(cons+i)%uint32(len(r.in))]
	}
	if n > 0 {
		atomic.Store(&r.inCons, cons+n) // after the bytes are read
		xenNotify(xen.consolePort)
	}
	return int(n)
}

// consoleInputLine binds the console's event channel to a line on
// first use. xenconsoled signals it for input, and also when it has
// taken output; a reader that finds nothing waits again.
func (xenMachine) consoleInputLine() int {
	if xen.console == nil {
		return 0
	}
	return devices_xenEventChannelLine(xen.consolePort)
}

// xenConsoleFlush notifies xenconsoled and waits until the output ring
// has room (or, if all, until it is empty), for up to a second. If
// xenconsoled takes nothing in that time, the console is given up.
//
//go:nosplit
func xenConsoleFlush(all bool) bool {
	r := xen.console
	xenNotify(xen.consolePort)
	start := nanotime()
	for {
		used := r.outProd - atomic.Load(&r.outCons)
		if used == 0 || !all && used < uint32(len(r.out)) {
			return true
		}
		if nanotime()-start > 1e9 {
			xen.consoleDead = true
			return false
		}
		xenHypercall(xenHypercallSchedOp, xenSchedOpYield, nil, 0)
	}
}

// exit writes the status line, waits for xenconsoled to take the
// console's output, and shuts the domain down.
//
//go:nosplit
func (m xenMachine) exit(code int32) {
	const prefix = "mirago: exit status "
	var buf [len(prefix) + 20 + 1]byte
	n := copy(buf[:], prefix)
	var num [20]byte
	n += copy(buf[n:], itoa(num[:], uint64(uint8(code))))
	buf[n] = '\n'
	consoleWrite(buf[:n+1])
	if xen.console != nil && !xen.consoleDead {
		xenConsoleFlush(true)
	}
	reason := uint32(xenShutdownPoweroff)
	if code != 0 {
		reason = xenShutdownCrash
	}
	xenHypercall(xenHypercallSchedOp, xenSchedOpShutdown, unsafe.Pointer(&reason), 0)
	haltForever()
}

// xenUpcall handles the upcall vector, on gsignal with interrupts off:
// every pending, unmasked event channel is masked and cleared, and the
// device interrupt line it feeds, if any, is raised. A driver's wait
// unmasks the channel again (lineEnable). Through the local APIC, the
// upcall is acknowledged first: Xen raises it again only for events
// after evtchn_upcall_pending is cleared, and those are taken by the
// loop or by the next upcall, once this one returns.
func xenUpcall(vector uint64) {
	if xen.upcallEOI {
		lapicEOI()
	}
	s := xen.shared
	vi := &s.vcpuInfo[0]
	for atomic.Load8(&vi.evtchnUpcallPending) != 0 {
		atomic.Store8(&vi.evtchnUpcallPending, 0)
		sel := atomic.Xchg64(&vi.evtchnPendingSel, 0)
		for sel != 0 {
			w := bits.TrailingZeros64(sel)
			sel &= sel - 1
			ready := atomic.Load64(&s.evtchnPending[w]) &^ atomic.Load64(&s.evtchnMask[w])
			for ready != 0 {
				b := bits.TrailingZeros64(ready)
				ready &= ready - 1
				atomic.Or64(&s.evtchnMask[w], 1<<b)
				atomic.And64(&s.evtchnPending[w], ^(uint64(1) << b))
				port := uint32(w*64 + b)
				for i := 1; i <= maxIRQLine; i++ {
					if xen.linePorts[i] == port {
						irqRaised(i)
					}
				}
			}
		}
	}
}

// cmdlineWord takes the exec wrapper's tsc_khz word, which Xen's own
// statement of the frequency makes moot.
func (xenMachine) cmdlineWord(w string) bool {
	return stringslite.HasPrefix(w, tscKHzWord)
}

// ramZeroed: Xen does not scrub the pages it populates a domain with
// while the domain is being built, so they may hold what a previous
// owner left.
func (xenMachine) ramZeroed() bool { return false }

func (xenMachine) lineRouted(i int) bool {
	return i < len(xen.linePorts) && xen.linePorts[i] != 0
}

// lineEnable unmasks line i's event channel; Xen raises the upcall
// again if it became pending while masked.
func (xenMachine) lineEnable(i int) {
	port := xen.linePorts[i]
	xenHypercall(xenHypercallEventChannelOp, xenEvtchnOpUnmask, unsafe.Pointer(&port), 0)
}

// xenNotify signals event channel port.
//
//go:nosplit
func xenNotify(port uint32) {
	xenHypercall(xenHypercallEventChannelOp, xenEvtchnOpSend, unsafe.Pointer(&port), 0)
}

func xenGetParam(index uint32) (uint64, uintptr) {
	p := xenHVMParam{domid: xenDomIDSelf, index: index}
	rc := xenHypercall(xenHypercallHVMOp, xenHVMOpGetParam, unsafe.Pointer(&p), 0)
	return p.value, rc
}

func xenSetParam(index uint32, value uint64) uintptr {
	p := xenHVMParam{domid: xenDomIDSelf, index: index, value: value}
	return xenHypercall(xenHypercallHVMOp, xenHVMOpSetParam, unsafe.Pointer(&p), 0)
}

// xenFatal reports a failed hypercall at boot, with Xen's error
// number (a negated errno), and stops.
func xenFatal(what string, rc uintptr) {
	print(GOOS, ": ", what, " failed: Xen error ", int64(rc), "\n")
	exit(2)
}

// xenHypercall makes hypercall op with arguments a1, a2 and a3 (which
// most operations ignore) and returns Xen's result, 0 or a negated
// errno (sys_xen_amd64.s).
//
//go:noescape
func xenHypercall(op, a1 uintptr, a2 unsafe.Pointer, a3 uintptr) uintptr

// Package internal/devices drives Xen's PV devices (xenstore, netfront,
// blkfront) from goroutines; it reaches Xen through these.

// devices_xenHypercall makes hypercall op with a command, a pointer to
// its argument and a count (for the operations that take one, such as
// GNTTABOP_*), and returns Xen's result (0 or a negated errno). Off Xen
// it returns -ENOSYS.
//
//go:linkname devices_xenHypercall internal/devices.xenHypercall
func devices_xenHypercall(op, cmd uintptr, arg unsafe.Pointer, count uintptr) uintptr {
	if mach.name() != "xen" {
		return ^uintptr(_ENOSYS - 1) // -ENOSYS
	}
	return xenHypercall(op, cmd, arg, count)
}

const _ENOSYS = 38

// devices_xenEventChannelLine makes event channel port a device
// interrupt line, masked until the first wait, and returns the line;
// the same port gives the same line. It returns 0 off Xen, for port 0,
// or when every line is taken.
//
//go:linkname devices_xenEventChannelLine internal/devices.xenEventChannelLine
func devices_xenEventChannelLine(port uint32) int {
	if mach.name() != "xen" || port == 0 || port >= xenEvtchn2LNrChannels {
		return 0
	}
	free := 0
	for i := 1; i < len(xen.linePorts); i++ {
		if xen.linePorts[i] == port {
			return i
		}
		if xen.linePorts[i] == 0 && free == 0 {
			free = i
		}
	}
	if free != 0 {
		atomic.Or64(&xen.shared.evtchnMask[port/64], 1<<(port%64))
		xen.linePorts[free] = port
	}
	return free
}
