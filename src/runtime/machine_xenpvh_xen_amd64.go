// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"internal/runtime/atomic"
	"internal/stringslite"
	"math/bits"
	"unsafe"
)

// The Xen platform on amd64: a PVH domain of Xen. There is no UART,
// PIT, CMOS clock or I/O APIC, and no exit device; what the Xen
// platform has on both architectures is in machine_xen_xen.go. Here:
//
//   - until the console ring is found, output goes to I/O port 0xE9,
//     which Xen copies to its own console;
//   - time is Xen's system time (vcpu_time_info: the TSC scaled by
//     Xen's factors), and the time of day its wall clock;
//   - upcalls arrive on one vector (xenUpcallVector).
//
// Each vCPU's timer is its single-shot timer in Xen
// (VCPUOP_set_singleshot_timer), whose event, VIRQ_TIMER, comes with
// the upcall, as Linux uses it on Xen; not the local APIC's timer,
// which Xen emulates for a PVH domain, but whose one-shot interrupt
// was seen lost under nested virtualization: the count ran out with no
// interrupt requested, and an idle vCPU halted for good. The local
// APIC still takes the upcall and the IPIs. An idle HLT blocks the
// vCPU in Xen, as SCHEDOP_block would, so an idle domain costs the
// host nothing.
//
// The x86 structures and numbers are in defs_xenpvh_xen_amd64.go,
// generated from mirago.dev/sys/xen, from arch-x86/xen-x86_64.h.

// xenUpcallVector is the upcall vector: one of the device vectors
// (trap_xen_amd64.go), which no I/O APIC uses on Xen.
const xenUpcallVector = 33

// xenVMMCALL is set on AMD CPUs, whose hypercall instruction is VMMCALL,
// not Intel's VMCALL (xenHypercall).
var xenVMMCALL bool

var (
	// xenUpcallEOI is set when upcalls come through the local APIC,
	// which wants an EOI.
	xenUpcallEOI bool

	xenLastNanotime uint64
)

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

func (*xenMachine) init() uint64 {
	base := xenCPUIDBase()
	_, b, c, d := cpuid(0, 0)
	// "AuthenticAMD" or "HygonGenuine": SVM, whose hypercall
	// instruction is VMMCALL. Calling the instruction directly
	// rather than through a hypercall page needs no page that is both
	// written by Xen and executable.
	xenVMMCALL = b == 0x68747541 && c == 0x444d4163 && d == 0x69746e65 ||
		b == 0x6f677948 && c == 0x656e6975 && d == 0x6e65476e

	// The shared info page, with every event channel masked. Then
	// take upcalls on the callback vector.
	xenMapSharedInfo()
	deviceInterrupt = xenUpcall
	interruptDumpMore = xenUpcallDump
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
	if xenUpcallVectorSet(0) == 0 {
		xenUpcallEOI = true
		callback = 0
	}
	if rc := xenSetParam(xenHVMParamCallbackIRQ, callback); rc != 0 {
		xenFatal("HVM_PARAM_CALLBACK_IRQ", rc)
	}
	// Xen's timer needs the per-vCPU vector: the domain-wide callback
	// reaches vCPU 0 only. Without it (an older Xen), the local
	// APIC's timer serves.
	if xenUpcallEOI {
		if rc := xenTimerBind(0); rc != 0 {
			xenFatal("EVTCHNOP_bind_virq(VIRQ_TIMER)", rc)
		}
		platformTimerArm, platformTimerDisarm = xenTimerArm, xenTimerDisarm
	}

	xenFindConsole()

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

// xenVCPUOp makes HYPERVISOR_vcpu_op(cmd, vcpu, arg), whose pointer
// is its last argument (sys_xen_amd64.s).
//
//go:noescape
func xenVCPUOp(cmd, vcpu uintptr, arg unsafe.Pointer) uintptr

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
// they were read. Each vCPU reads its own vcpu_time_info, which Xen
// writes from the calibration of the physical CPU it runs the vCPU
// on, as Linux reads its per-CPU pvclock: another vCPU's stamp may be
// ahead of this CPU's TSC.
//
//go:nosplit
func (*xenMachine) nanotime() int64 {
	t := &xen.shared.vcpuInfo[0].time
	if gp := getg(); gp != nil && gp.m != nil {
		if c := gp.m.threadCPU; c > 0 && atomic.Load(&xen.shared.vcpuInfo[c].time.version) != 0 {
			t = &xen.shared.vcpuInfo[c].time
		}
	}
	var ns int64
	for {
		v := atomic.Load(&t.version)
		if v&1 != 0 {
			continue
		}
		stamp, sys := t.tscTimestamp, t.systemTime
		mul, shift := t.tscToSystemMul, t.tscShift
		// A TSC behind the stamp would make a vast unsigned delta.
		var delta uint64
		if tsc := rdtsc(); tsc > stamp {
			delta = tsc - stamp
		}
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
	// Never go back, across Xen's updates of the scale, and across
	// CPUs.
	for {
		last := atomic.Load64(&xenLastNanotime)
		if uint64(ns) <= last {
			return int64(last)
		}
		if atomic.Cas64(&xenLastNanotime, last, uint64(ns)) {
			return ns
		}
	}
}

// cpuCount counts the domain's vCPUs (xl's vcpus): VCPUOP_is_up
// answers for each vCPU the domain has, up or not, and fails past the
// last.
func (*xenMachine) cpuCount() int {
	n := 1
	for n < maxCPUs && int(xenVCPUOp(xenVCPUOpIsUp, uintptr(n), nil)) >= 0 {
		n++
	}
	ncpus = n
	return n
}

// startCPUs starts the other vCPUs, one at a time. A PVH domain has no
// INIT-SIPI-SIPI: VCPUOP_initialise gives a vCPU its first state, in
// long mode at apEntry on the runtime's page tables, and VCPUOP_up
// runs it. From apEntry on, it starts as a PC's AP does.
func (*xenMachine) startCPUs() {
	cpuAPICIDs[0] = lapicID()
	apBoot.cr3, apBoot.cr0 = readCR3(), readCR0()
	for c := 1; c < ncpus; c++ {
		apBoot.sp, apBoot.tls = cpuStart(c)
		if platformTimerArm != nil {
			if rc := xenUpcallVectorSet(c); rc != 0 {
				print("xen: HVMOP_set_evtchn_upcall_vector for vCPU ", c, " failed: Xen error ", int64(rc), "\n")
				continue
			}
			if rc := xenTimerBind(c); rc != 0 {
				print("xen: EVTCHNOP_bind_virq(VIRQ_TIMER) for vCPU ", c, " failed: Xen error ", int64(rc), "\n")
				continue
			}
		}
		ctx := xenVCPUHVMContext{
			mode:   xenVCPUHVMMode64B,
			rip:    uint64(abi.FuncPCABI0(apEntry)),
			rflags: 0x2, // interrupts off
			cr0:    uint64(apBoot.cr0),
			cr3:    uint64(apBoot.cr3),
			cr4:    0x20,  // PAE
			efer:   0x900, // NXE, LME: the runtime's map has NX pages
		}
		if rc := int(xenVCPUOp(xenVCPUOpInitialise, uintptr(c), unsafe.Pointer(&ctx))); rc != 0 {
			print("xen: VCPUOP_initialise of vCPU ", c, " failed: Xen error ", rc, "\n")
			continue
		}
		if rc := int(xenVCPUOp(xenVCPUOpUp, uintptr(c), nil)); rc != 0 {
			print("xen: VCPUOP_up of vCPU ", c, " failed: Xen error ", rc, "\n")
			continue
		}
		if !cpuAwait(c, 1e9) {
			// It may yet start, late, and read apBoot: starting the
			// next vCPU would hand both the next one's idle thread.
			print("xen: vCPU ", c, " did not start; not starting the vCPUs after it\n")
			break
		}
	}
}

// xenEarlyPutc writes c to I/O port 0xE9, which Xen copies to its
// own console (its "(dN)" lines): the console before the ring.
//
//go:nosplit
func xenEarlyPutc(c byte) {
	outb(0xe9, c)
}

// xenUpcallVectorSet unmasks vCPU c's upcalls and makes it take them
// on xenUpcallVector through its local APIC. Where that fails, vCPU 0
// takes them on the domain-wide callback vector.
func xenUpcallVectorSet(c int) uintptr {
	xen.shared.vcpuInfo[c].evtchnUpcallMask = 0
	uv := xenHVMEvtchnUpcallVector{vcpu: uint32(c), vector: xenUpcallVector}
	return xenHypercall(xenHypercallHVMOp, xenHVMOpSetEvtchnUpcallVector, unsafe.Pointer(&uv), 0)
}

// xenTimerBind gives vCPU c's timer event a channel, from vCPU 0
// before c runs. Xen's periodic timer, which raises the same event, is
// stopped: the runtime arms a single shot for each deadline.
func xenTimerBind(c int) uintptr {
	xenVCPUOp(xenVCPUOpStopPeriodicTimer, uintptr(c), nil)
	b := xenEvtchnBindVirq{virq: xenVirqTimer, vcpu: uint32(c)}
	if rc := xenHypercall(xenHypercallEventChannelOp, xenEvtchnOpBindVirq, unsafe.Pointer(&b), 0); rc != 0 {
		return rc
	}
	xen.timerPorts[c] = b.port
	return xenHypercall(xenHypercallEventChannelOp, xenEvtchnOpUnmask, unsafe.Pointer(&b.port), 0)
}

// xenTimerWhen is each vCPU's last armed deadline, for interruptDump.
var xenTimerWhen [maxCPUs]int64

// xenTimerArm sets the calling vCPU's single-shot timer for nanotime
// when, which is Xen's system time; a time that has passed fires at
// once. Xen refuses only another vCPU's timer, so a failure is a bug,
// and a timer that never fires would be a silent hang.
func xenTimerArm(when int64) {
	c := getg().m.threadCPU
	xenTimerWhen[c] = when
	t := xenVCPUSetSingleshotTimer{timeoutAbsNs: uint64(when)}
	if rc := xenVCPUOp(xenVCPUOpSetSingleshotTimer, uintptr(c), unsafe.Pointer(&t)); rc != 0 {
		print("xen: VCPUOP_set_singleshot_timer on vCPU ", c, " failed: Xen error ", int64(rc), "\n")
		throw("xen: cannot arm the timer")
	}
}

// xenTimerDisarm stops the calling vCPU's single-shot timer.
func xenTimerDisarm() {
	c := getg().m.threadCPU
	xenTimerWhen[c] = -1
	xenVCPUOp(xenVCPUOpStopSingleshotTimer, uintptr(c), nil)
}

// xenUpcall handles the upcall vector, on gsignal with interrupts
// off; f and gp are the interrupted context and goroutine. Through the
// local APIC, the upcall is acknowledged first.
func xenUpcall(f *trapFrame, gp *g) {
	if xenUpcallEOI {
		lapicEOI()
	}
	if xenEvents(int(getg().m.threadCPU)) {
		timerTick(&sigctxt{f: f}, gp)
	}
}

// xenUpcallDump adds the upcall's flags on this vCPU, and its timer's
// channel and deadline, to an NMI's line of interrupt state
// (interruptDump).
func xenUpcallDump() {
	c := getg().m.threadCPU
	s := xen.shared
	vi := &s.vcpuInfo[c]
	print(" xen-upcall-pending=", vi.evtchnUpcallPending, " xen-upcall-mask=", vi.evtchnUpcallMask)
	if port := xen.timerPorts[c]; port != 0 {
		bit := uint64(1) << (port % 64)
		print(" xen-timer-port=", port, " pending=", s.evtchnPending[port/64]&bit != 0,
			" masked=", s.evtchnMask[port/64]&bit != 0, " deadline=", xenTimerWhen[c])
	}
}

// cmdlineWord takes the exec wrapper's tsc_khz word, which Xen's own
// statement of the frequency makes moot.
func (*xenMachine) cmdlineWord(w string) bool {
	return stringslite.HasPrefix(w, tscKHzWord)
}
