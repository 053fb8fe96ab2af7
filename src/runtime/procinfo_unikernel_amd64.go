// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import _ "unsafe" // for go:linkname

// What package syscall reports of the machine and the program in
// /proc and getrusage (its proc_unikernel.go).

// syscall_cpuInfo describes the CPU as CPUID does.
//
//go:linkname syscall_cpuInfo syscall.cpuInfo
func syscall_cpuInfo() (vendor, model string, family, modelID, stepping uint32, mhz uint64) {
	_, b, c, d := cpuid(0, 0)
	var v [12]byte
	for i := 0; i < 4; i++ {
		v[i], v[4+i], v[8+i] = byte(b>>(8*i)), byte(d>>(8*i)), byte(c>>(8*i))
	}
	vendor = string(v[:])
	a, _, _, _ := cpuid(1, 0)
	stepping = a & 0xf
	modelID = a >> 4 & 0xf
	family = a >> 8 & 0xf
	if family == 0xf {
		family += a >> 20 & 0xff
	}
	if family >= 6 {
		modelID |= (a >> 16 & 0xf) << 4
	}
	if max, _, _, _ := cpuid(0x80000000, 0); max >= 0x80000004 {
		var brand [48]byte
		for leaf := uint32(0); leaf < 3; leaf++ {
			a, b, c, d := cpuid(0x80000002+leaf, 0)
			for i, r := range [4]uint32{a, b, c, d} {
				for j := 0; j < 4; j++ {
					brand[16*leaf+uint32(4*i+j)] = byte(r >> (8 * j))
				}
			}
		}
		n := 0
		for n < len(brand) && brand[n] != 0 {
			n++
		}
		model = string(brand[:n])
	}
	return vendor, model, family, modelID, stepping, cpuHz / 1e6
}
