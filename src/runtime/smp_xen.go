// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// Preemption across CPUs, the same on both architectures: the
// architecture's cpuWake sends CPU c an interprocessor interrupt (a
// local APIC IPI on amd64, an SGI on arm64), whose handler, once it has
// ended the interrupt, calls ipiInterrupt.

const preemptMSupported = true

// preemptM asks mp to preempt its goroutine, as a signal does on Linux:
// if mp runs on another CPU, that CPU takes an IPI, whose handler
// (ipiInterrupt) preempts as the tick does. An M that waits for a CPU
// is in the runtime, where it sees the request when it runs; one on
// this CPU is the caller. mp may have left its CPU by the time the IPI
// arrives; the M there then counts the request (preemptGen), and the
// tick preempts mp's goroutine if it still runs.
func preemptM(mp *m) {
	if c := mp.threadCPU; mp.threadState == threadRunning && c != getg().m.threadCPU {
		cpuWake(int(c))
	}
}

// ipiInterrupt handles an IPI, on the interrupt's stack; gp is the
// interrupted goroutine. The IPI ends a halt (cpuWake) or asks for a
// preemption (preemptM).
func ipiInterrupt(c *sigctxt, gp *g) {
	asyncPreemptAt(c, gp)
	gp.m.preemptGen.Add(1)
}
