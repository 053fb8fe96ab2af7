// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"internal/runtime/atomic"
)

// The timer, and the jobs it does for the scheduler, which has no
// kernel underneath to take the CPU from a thread:
//
//   - idle: when no thread can run, the idle thread calls idleWait,
//     which arms the timer for the next deadline of a blocked thread
//     and halts the CPU until an interrupt, so an idle guest uses no
//     host CPU;
//   - preemption: while goroutines run, the timer ticks every 10 ms. A
//     goroutine that has run for a whole tick is asked to yield, and if
//     the tick caught it at an async safe point, the handler makes it
//     call asyncPreempt, as the SIGURG handler does on Linux. Back in
//     the scheduler, its M lets the threads that wait for the CPU run
//     (schedHook);
//   - CPU profiling: while a profile is on, the timer also fires every
//     1/hz seconds of running time and the handler takes a sample of
//     the interrupted code, as the SIGPROF handler does. Halted time
//     is not running time, as it is not CPU time for ITIMER_PROF, so
//     it gets no samples.

// preemptTick is how long a goroutine runs before it is preempted, as
// sysmon's forcePreemptNS.
const preemptTick = 10_000_000

// Each architecture provides the timer and the interrupt mask: the
// local APIC (apic_xen_amd64.go), or in its place a platform's own
// timer (platformTimerArm: Xen's single-shot timer), or the generic
// timer and the GIC (gic_xen_arm64.go), with
//
//	timerArm(when)   interrupt at nanotime when, or right away
//	timerDisarm()    no timer interrupt
//	cli(), sti()     mask and unmask interrupts
//	stihlt()         unmask interrupts and wait for one, which is
//	                 handled before stihlt returns

// A tickState is the tick's state on one CPU (cpus[c].tick), written
// with interrupts off.
type tickState struct {
	idling     bool   // idleWait is halted
	schedtick  uint32 // P's schedtick at the last tick
	runningFor int64  // since when the current goroutine runs
	profNext   int64  // nanotime of the next profile sample, less time halted since
	tlbFlushed int64  // nanotime of the last tlbRefresh flush
}

// profPeriod is the CPU profile clock's period: ns of running time
// between samples; 0: off.
var profPeriod int64

// thisTick returns the tick state of the CPU the caller runs on.
//
//go:nosplit
func thisTick() *tickState {
	return &cpus[getg().m.threadCPU].tick
}

// tickArm arms the timer for the next preemption tick after now, or
// the next profile sample if that is sooner.
func tickArm(now int64) {
	when := now + preemptTick
	if profPeriod > 0 {
		t := thisTick()
		if t.profNext == 0 {
			t.profNext = now + profPeriod
		}
		when = min(when, t.profNext)
	}
	timerArm(when)
}

// timerTick is the timer interrupt's work, after the interrupt is
// acknowledged; gp is the interrupted goroutine.
func timerTick(c *sigctxt, gp *g) {
	t := thisTick()
	if t.idling {
		return // idleWait arms the timer again
	}
	now := nanotime()
	mp := gp.m
	pp := mp.p.ptr()
	if pp == nil {
		pp = mp.oldp.ptr() // in a system call
	}
	if pp != nil && mp.curg != nil {
		if pp.schedtick != t.schedtick {
			t.schedtick = pp.schedtick
			t.runningFor = now
		} else if now-t.runningFor >= preemptTick {
			// As preemptone: ask the goroutine to stop at its next
			// function call, and below, async if it can.
			curg := mp.curg
			curg.preempt = true
			curg.stackguard0 = stackPreempt
			pp.preempt = true
		}
	}
	if profPeriod > 0 && now >= t.profNext {
		// Before any asyncPreempt call is pushed, so the sample
		// shows the code that was interrupted.
		sigprof(c.sigpc(), c.sigsp(), c.siglr(), gp, mp)
		t.profNext = max(t.profNext+profPeriod, now+profPeriod/2)
	}
	asyncPreemptAt(c, gp)
	tlbRefresh(t, now)
	tickArm(now)
}

// asyncPreemptAt makes gp, which an interrupt interrupted, call
// asyncPreempt if it is asked to stop and was interrupted at an async
// safe point, as the SIGURG handler does on Linux.
func asyncPreemptAt(c *sigctxt, gp *g) {
	if gp == gp.m.curg && debug.asyncpreemptoff == 0 && wantAsyncPreempt(gp) {
		if ok, newpc := isAsyncSafePoint(gp, c.sigpc(), c.sigsp(), c.siglr()); ok {
			c.pushCall(abi.FuncPCABI0(asyncPreempt), newpc)
		}
	}
}

// pollDevices has nothing to do: devices interrupt.
func pollDevices() {}

// idleWait halts the CPU until the timer reaches until (no timer if
// until < 0) or another interrupt arrives, then rearms the tick. The
// idle thread calls it with interrupts off, and again if there is
// still nothing to run.
func idleWait(until int64) {
	t := thisTick()
	t.idling = true
	if until >= 0 {
		timerArm(until)
	} else {
		timerDisarm()
	}
	start := nanotime()
	if until < 0 || start < until {
		stihlt() // returns after the interrupt's handler ran
		cli()
	}
	t.idling = false
	now := nanotime()
	if t.profNext != 0 {
		t.profNext += now - start // halted time is not profiled
	}
	atomic.Xaddint64(&cpus[getg().m.threadCPU].idleTime, now-start)
	tlbRefresh(t, now)
	tickArm(now)
}

// tlbRefreshPeriod is how often each CPU flushes its TLB, which
// nothing else does: the page tables do not change after vmInit.
//
// The flush is for QEMU's TCG, which sizes a CPU's software TLB only
// when the guest flushes it, from how many entries were filled since
// the flush before. A guest that never flushes keeps TCG's smallest
// TLB, 256 pages, and most of its misses are page walks run in C: an
// HTTP server under 16 connections spent a quarter more time per
// request without the flushes (docs/benchmarks.md). On hardware a
// flush every 50 ms costs nothing measurable.
const tlbRefreshPeriod = 50_000_000

// tlbRefresh flushes this CPU's TLB if it has not for
// tlbRefreshPeriod; t is this CPU's tick state. It runs with interrupts
// off, from the tick and after a halt, so a CPU that is busy and one
// that is mostly idle both flush.
//
//go:nosplit
func tlbRefresh(t *tickState, now int64) {
	if now-t.tlbFlushed >= tlbRefreshPeriod {
		t.tlbFlushed = now
		tlbFlush()
	}
}

// intrRestore turns interrupts back on if intrOff found them on.
//
//go:nosplit
func intrRestore(on bool) {
	if on {
		sti()
	}
}

// setProcessCPUProfiler has nothing to do: with one CPU,
// setThreadCPUProfiler's clock is the process's.
func setProcessCPUProfiler(hz int32) {}

// setThreadCPUProfiler starts (hz > 0) or stops the profile clock. It
// runs on m0 after minit (from setcpuprofilerate and execute), where
// interrupts are on.
func setThreadCPUProfiler(hz int32) {
	getg().m.profilehz = hz
	cli()
	if hz > 0 {
		profPeriod = 1_000_000_000 / int64(hz)
		thisTick().profNext = nanotime() + profPeriod
		tickArm(nanotime())
	} else {
		profPeriod = 0
	}
	sti()
}
