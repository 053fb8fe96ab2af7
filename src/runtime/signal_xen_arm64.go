// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// sigctxt gives the shared arm64 signal code (signal_arm64.go:
// preparePanic, pushCall, dumpregs) the state saved by an exception.
type sigctxt struct {
	f    *excFrame
	code uint64 // si_code of the signal the exception stands for
	addr uint64 // faulting address
}

func (c *sigctxt) r0() uint64  { return c.f.r[0] }
func (c *sigctxt) r1() uint64  { return c.f.r[1] }
func (c *sigctxt) r2() uint64  { return c.f.r[2] }
func (c *sigctxt) r3() uint64  { return c.f.r[3] }
func (c *sigctxt) r4() uint64  { return c.f.r[4] }
func (c *sigctxt) r5() uint64  { return c.f.r[5] }
func (c *sigctxt) r6() uint64  { return c.f.r[6] }
func (c *sigctxt) r7() uint64  { return c.f.r[7] }
func (c *sigctxt) r8() uint64  { return c.f.r[8] }
func (c *sigctxt) r9() uint64  { return c.f.r[9] }
func (c *sigctxt) r10() uint64 { return c.f.r[10] }
func (c *sigctxt) r11() uint64 { return c.f.r[11] }
func (c *sigctxt) r12() uint64 { return c.f.r[12] }
func (c *sigctxt) r13() uint64 { return c.f.r[13] }
func (c *sigctxt) r14() uint64 { return c.f.r[14] }
func (c *sigctxt) r15() uint64 { return c.f.r[15] }
func (c *sigctxt) r16() uint64 { return c.f.r[16] }
func (c *sigctxt) r17() uint64 { return c.f.r[17] }
func (c *sigctxt) r18() uint64 { return c.f.r[18] }
func (c *sigctxt) r19() uint64 { return c.f.r[19] }
func (c *sigctxt) r20() uint64 { return c.f.r[20] }
func (c *sigctxt) r21() uint64 { return c.f.r[21] }
func (c *sigctxt) r22() uint64 { return c.f.r[22] }
func (c *sigctxt) r23() uint64 { return c.f.r[23] }
func (c *sigctxt) r24() uint64 { return c.f.r[24] }
func (c *sigctxt) r25() uint64 { return c.f.r[25] }
func (c *sigctxt) r26() uint64 { return c.f.r[26] }
func (c *sigctxt) r27() uint64 { return c.f.r[27] }
func (c *sigctxt) r28() uint64 { return c.f.r[28] }
func (c *sigctxt) r29() uint64 { return c.f.r[29] }
func (c *sigctxt) lr() uint64  { return c.f.r[30] }
func (c *sigctxt) sp() uint64  { return c.f.sp }

//go:nosplit
//go:nowritebarrierrec
func (c *sigctxt) pc() uint64 { return c.f.elr }

func (c *sigctxt) fault() uintptr  { return uintptr(c.addr) }
func (c *sigctxt) sigcode() uint64 { return c.code }
func (c *sigctxt) sigaddr() uint64 { return c.addr }

func (c *sigctxt) set_pc(x uint64)  { c.f.elr = x }
func (c *sigctxt) set_sp(x uint64)  { c.f.sp = x }
func (c *sigctxt) set_lr(x uint64)  { c.f.r[30] = x }
func (c *sigctxt) set_r28(x uint64) { c.f.r[28] = x }

func (c *sigctxt) set_sigaddr(x uint64) { c.addr = x }
