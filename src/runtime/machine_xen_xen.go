// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"math/bits"
	"unsafe"
)

// The Xen platform: a domain of Xen, a PVH domain on amd64
// (machine_xenpvh_xen_amd64.go) or an Arm domain on arm64
// (machine_xenarm_xen_arm64.go). What this file holds is the same on
// both. The domain talks to Xen through hypercalls and to the
// toolstack's daemons through shared pages and event channels:
//
//   - the shared info page, which the domain places in its own memory
//     (XENMEM_add_to_physmap), holds the event channel bitmaps and the
//     wall clock;
//   - the console is a ring page that xenconsoled reads, named by the
//     HVM parameters CONSOLE_PFN and CONSOLE_EVTCHN; before it is
//     found, output goes to the architecture's early channel
//     (xenEarlyPutc);
//   - event channels interrupt through one upcall (a vector on amd64,
//     a private peripheral interrupt on arm64), and each channel a
//     driver waits on is a device interrupt line (irq_unikernel.go);
//   - the program's exit ends the domain with SCHEDOP_shutdown:
//     poweroff for status 0, crash otherwise, after a last console
//     line, "mirago: exit status N", from which the host reads the
//     status.
//
// Numbers and layouts are from Xen's public headers
// (xen/include/public/): xen.h, memory.h, sched.h, event_channel.h,
// hvm/hvm_op.h, hvm/params.h, io/console.h and the architecture's
// arch-*.h; the generated defs_xen*_xen*.go files hold them.
type xenMachine struct{}

var _ machine = (*xenMachine)(nil)

func (*xenMachine) name() string { return "xen" }

var xen struct {
	shared *xenSharedInfo

	console     *xenConsoleRing // nil until init finds it
	consolePort uint32
	consoleDead bool // xenconsoled stopped reading

	// linePorts is the event channel of each device interrupt line;
	// 0 is no line. Written by goroutines (devices_xenEventChannelLine)
	// under lineLock and read by the upcall: a line is set before its
	// port is ever unmasked, so the upcall never sees a half-made
	// binding.
	linePorts [maxIRQLine + 1]uint32
	lineLock  mutex

	// timerPorts is each vCPU's VIRQ_TIMER channel, where the platform
	// uses Xen's timer; 0 is none. Written before the vCPU runs.
	timerPorts [maxCPUs]uint32
}

// xenMapSharedInfo places the shared info page in a page of the
// domain's RAM and masks every event channel; a driver unmasks the
// ones it waits on.
func xenMapSharedInfo() {
	page := sbrk(1 << xenPageShift)
	if page == nil {
		fatalBoot("out of memory for Xen's shared info page")
	}
	xatp := xenAddToPhysmap{domid: xenDomIDSelf, space: xenMapSpaceSharedInfo, gpfn: uint64(uintptr(page)) >> xenPageShift}
	if rc := xenHypercall(xenHypercallMemoryOp, xenMemAddToPhysmap, unsafe.Pointer(&xatp), 0); rc != 0 {
		xenFatal("XENMEM_add_to_physmap(shared_info)", rc)
	}
	xen.shared = (*xenSharedInfo)(page)
	for i := range xen.shared.evtchnMask {
		atomic.Store64(&xen.shared.evtchnMask[i], ^uint64(0))
	}
}

// xenFindConsole finds the console ring. A domain without one keeps
// writing to the early channel.
func xenFindConsole() {
	pfn, rc1 := xenGetParam(xenHVMParamConsolePFN)
	port, rc2 := xenGetParam(xenHVMParamConsoleEvtchn)
	if rc1 == 0 && rc2 == 0 && pfn != 0 {
		xen.consolePort = uint32(port)
		xen.console = (*xenConsoleRing)(unsafe.Pointer(uintptr(pfn << xenPageShift)))
	}
}

// walltime is Xen's wall clock plus the platform's monotonic time:
// the wall clock is the time of day at system time 0 on amd64, and at
// the domain's creation, where the generic timer's virtual count
// starts, on arm64.
func (m *xenMachine) walltime() (sec int64, nsec int32) {
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
func (*xenMachine) consolePutc(c byte) {
	r := xen.console
	if r == nil || xen.consoleDead {
		xenEarlyPutc(c)
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
func (*xenMachine) consoleFlush() {
	if xen.console != nil && !xen.consoleDead {
		xenNotify(xen.consolePort)
	}
}

// consoleRead takes what xenconsoled put in the ring's input half.
func (*xenMachine) consoleRead(p []byte) int {
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
func (*xenMachine) consoleInputLine() int {
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
func (m *xenMachine) exit(code int32) {
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

// xenEvents handles an upcall to vCPU cpu, on gsignal with interrupts
// off, once the architecture has acknowledged it: every pending,
// unmasked event channel is masked and cleared, and the device
// interrupt line it feeds, if any, is raised. A driver's wait unmasks
// the channel again (lineEnable). Xen raises the upcall again only for
// events after evtchn_upcall_pending is cleared, and those are taken by
// the loop or by the next upcall, once this one returns.
//
// The vCPU's timer channel (xen.timerPorts) is cleared but not masked,
// and xenEvents reports whether it fired. Every other channel is bound
// to vCPU 0, so the other vCPUs take only their timer's; a vCPU that
// finds another's timer pending, in a word of the bitmaps they share,
// leaves it to that vCPU.
func xenEvents(cpu int) (timer bool) {
	s := xen.shared
	vi := &s.vcpuInfo[cpu]
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
				port := uint32(w*64 + b)
				if port == xen.timerPorts[cpu] {
					atomic.And64(&s.evtchnPending[w], ^(uint64(1) << b))
					timer = true
					continue
				}
				if cpu != 0 || xenIsTimerPort(port) {
					continue
				}
				atomic.Or64(&s.evtchnMask[w], 1<<b)
				atomic.And64(&s.evtchnPending[w], ^(uint64(1) << b))
				for i := 1; i <= maxIRQLine; i++ {
					if xen.linePorts[i] == port {
						irqRaised(i)
					}
				}
			}
		}
	}
	return timer
}

// xenIsTimerPort reports whether port is a vCPU's timer channel.
func xenIsTimerPort(port uint32) bool {
	for _, p := range xen.timerPorts {
		if p != 0 && p == port {
			return true
		}
	}
	return false
}

// ramZeroed: Xen does not scrub the pages it populates a domain with
// while the domain is being built, so they may hold what a previous
// owner left.
func (*xenMachine) ramZeroed() bool { return false }

func (*xenMachine) lineRouted(i int) bool {
	return i < len(xen.linePorts) && xen.linePorts[i] != 0
}

// lineEnable unmasks line i's event channel; Xen raises the upcall
// again if it became pending while masked.
func (*xenMachine) lineEnable(i int) {
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
// errno (sys_xen_GOARCH.s).
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
	// Devices are set up on first use, so two CPUs may ask at once;
	// each would otherwise take the same free line.
	lock(&xen.lineLock)
	defer unlock(&xen.lineLock)
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
		atomic.Store(&xen.linePorts[free], port) // the upcall reads it
	}
	return free
}
