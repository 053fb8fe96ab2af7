// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// trapSignal delivers signal sig, which a CPU exception stands for, as
// Linux would deliver it to a Go program: it panics (as sigpanic) where
// the fault is in Go code that can panic, and is fatal otherwise.
func trapSignal(c *sigctxt, gp *g, sig uint32, code, addr uint64) {
	c.code, c.addr = code, addr
	mp := gp.m

	panics := sig == _SIGSEGV || sig == _SIGBUS || sig == _SIGFPE
	if gp.throwsplit || gp != mp.curg || isAbortPC(c.sigpc()) {
		// Not on a user goroutine that may grow its stack.
		panics = false
	}
	if panics {
		gp.sig = sig
		gp.sigcode0 = uintptr(code)
		gp.sigcode1 = uintptr(addr)
		gp.sigpc = c.sigpc()
		c.preparePanic(sig, gp)
		return
	}

	// As sighandler does for a fatal signal.
	mp.throwing = throwTypeRuntime
	mp.caughtsig.set(gp)
	startpanic_m()
	print(signame(sig), "\n")
	print("PC=", hex(c.sigpc()), " m=", mp.id, " sigcode=", code)
	if sig == _SIGSEGV || sig == _SIGBUS {
		print(" addr=", hex(addr))
	}
	print("\n")
	if sig == _SIGILL || sig == _SIGFPE {
		// As fatalsignal: 16 bytes at the PC, within its page.
		pc := c.sigpc()
		n := min(16, physPageSize-pc%physPageSize)
		print("instruction bytes:")
		b := (*[16]byte)(unsafe.Pointer(pc))
		for i := uintptr(0); i < n; i++ {
			print(" ", hex(b[i]))
		}
		print("\n")
	}
	print("\n")
	level, _, _ := gotraceback()
	if level > 0 {
		goroutineheader(gp)
		tracebacktrap(c.sigpc(), c.sigsp(), c.siglr(), gp)
		tracebackothers(gp)
		print("\n")
		dumpregs(c)
	}
	exit(2)
}
