// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// sigctxt gives the shared amd64 signal code (signal_amd64.go:
// preparePanic, pushCall, dumpregs) the state saved by a trap.
type sigctxt struct {
	f    *trapFrame
	code uint64 // si_code of the signal the trap stands for
	addr uint64 // faulting address
}

//go:nosplit
//go:nowritebarrierrec
func (c *sigctxt) rip() uint64 { return c.f.ip }

func (c *sigctxt) rax() uint64    { return c.f.ax }
func (c *sigctxt) rbx() uint64    { return c.f.bx }
func (c *sigctxt) rcx() uint64    { return c.f.cx }
func (c *sigctxt) rdx() uint64    { return c.f.dx }
func (c *sigctxt) rdi() uint64    { return c.f.di }
func (c *sigctxt) rsi() uint64    { return c.f.si }
func (c *sigctxt) rbp() uint64    { return c.f.bp }
func (c *sigctxt) rsp() uint64    { return c.f.sp }
func (c *sigctxt) r8() uint64     { return c.f.r8 }
func (c *sigctxt) r9() uint64     { return c.f.r9 }
func (c *sigctxt) r10() uint64    { return c.f.r10 }
func (c *sigctxt) r11() uint64    { return c.f.r11 }
func (c *sigctxt) r12() uint64    { return c.f.r12 }
func (c *sigctxt) r13() uint64    { return c.f.r13 }
func (c *sigctxt) r14() uint64    { return c.f.r14 }
func (c *sigctxt) r15() uint64    { return c.f.r15 }
func (c *sigctxt) rflags() uint64 { return c.f.flags }
func (c *sigctxt) cs() uint64     { return c.f.cs }
func (c *sigctxt) fs() uint64     { return 0 }
func (c *sigctxt) gs() uint64     { return 0 }

func (c *sigctxt) sigcode() uint64 { return c.code }
func (c *sigctxt) sigaddr() uint64 { return c.addr }

func (c *sigctxt) set_rip(x uint64) { c.f.ip = x }
func (c *sigctxt) set_rsp(x uint64) { c.f.sp = x }
