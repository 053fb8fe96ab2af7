// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "internal/abi"

// The timer, and the jobs it does for the scheduler in the absence of
// sysmon and of other threads:
//
//   - idle: when nothing can run, netpoll calls idleWait, which arms the
//     timer for the next timer deadline and halts the CPU until an
//     interrupt, so an idle guest uses no host CPU;
//   - preemption: while goroutines run, the timer ticks every 10 ms. A
//     goroutine that has run for a whole tick is asked to yield, and if
//     the tick caught it at an async safe point, the handler makes it
//     call asyncPreempt, as the SIGURG handler does on Linux;
//   - CPU profiling: while a profile is on, the timer also fires every
//     1/hz seconds of running time and the handler takes a sample of
//     the interrupted code, as the SIGPROF handler does. Halted time
//     is not running time, as it is not CPU time for ITIMER_PROF, so
//     it gets no samples.

// preemptTick is how long a goroutine runs before it is preempted, as
// sysmon's forcePreemptNS.
const preemptTick = 10_000_000

// Each architecture provides the timer and the interrupt mask: the
// local APIC (apic_xen_amd64.go) or the generic timer and the GIC
// (gic_xen_arm64.go), with
//
//	timerArm(when)   interrupt at nanotime when, or right away
//	timerDisarm()    no timer interrupt
//	cli(), sti()     mask and unmask interrupts
//	stihlt()         unmask interrupts and wait for one, which is
//	                 handled before stihlt returns

var (
	idling         bool   // idleWait is halted
	tickSchedtick  uint32 // P's schedtick at the last tick
	tickRunningFor int64  // since when the current goroutine runs

	// The CPU profile clock; written with interrupts disabled.
	profPeriod int64 // ns of running time between samples; 0: off
	profNext   int64 // nanotime of the next sample, less time halted since
)

// tickArm arms the timer for the next preemption tick after now, or
// the next profile sample if that is sooner.
func tickArm(now int64) {
	when := now + preemptTick
	if profPeriod > 0 {
		when = min(when, profNext)
	}
	timerArm(when)
}

// timerTick is the timer interrupt's work, after the interrupt is
// acknowledged; gp is the interrupted goroutine.
func timerTick(c *sigctxt, gp *g) {
	if idling {
		return // idleWait arms the timer again
	}
	now := nanotime()
	mp := gp.m
	pp := mp.p.ptr()
	if pp == nil {
		pp = mp.oldp.ptr() // in a system call
	}
	if pp != nil && mp.curg != nil {
		if pp.schedtick != tickSchedtick {
			tickSchedtick = pp.schedtick
			tickRunningFor = now
		} else if now-tickRunningFor >= preemptTick {
			// As preemptone: ask the goroutine to stop at its next
			// function call, and below, async if it can.
			curg := mp.curg
			curg.preempt = true
			curg.stackguard0 = stackPreempt
			pp.preempt = true
		}
	}
	if profPeriod > 0 && now >= profNext {
		// Before any asyncPreempt call is pushed, so the sample
		// shows the code that was interrupted.
		sigprof(c.sigpc(), c.sigsp(), c.siglr(), gp, mp)
		profNext = max(profNext+profPeriod, now+profPeriod/2)
	}
	if gp == mp.curg && debug.asyncpreemptoff == 0 && wantAsyncPreempt(gp) {
		if ok, newpc := isAsyncSafePoint(gp, c.sigpc(), c.sigsp(), c.siglr()); ok {
			c.pushCall(abi.FuncPCABI0(asyncPreempt), newpc)
		}
	}
	tickArm(now)
}

// pollDevices has nothing to do: devices interrupt.
func pollDevices() {}

// idleWait halts the CPU until the timer reaches until (no timer if
// until < 0) or another interrupt arrives, then rearms the tick.
// The scheduler calls it again if there is still nothing to do.
func idleWait(until int64) {
	cli()
	idling = true
	if until >= 0 {
		timerArm(until)
	} else {
		timerDisarm()
	}
	start := nanotime()
	if netpollWakeSig.Load() == 0 && (until < 0 || start < until) {
		stihlt() // returns after the interrupt's handler ran
		cli()
	}
	idling = false
	now := nanotime()
	profNext += now - start // halted time is not profiled
	idleTotal += now - start
	tickArm(now)
	sti()
}

// setProcessCPUProfiler has nothing to do: with one thread,
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
		profNext = nanotime() + profPeriod
		tickArm(nanotime())
	} else {
		profPeriod = 0
	}
	sti()
}
