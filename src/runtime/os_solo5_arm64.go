// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// What GOOS=solo5 needs of arm64 beyond os_solo5.go: the entry is
// rt0_solo5_arm64.s, and the system calls and the hypercall are in
// sys_solo5_arm64.s. Under spt the image runs at EL0 of a Linux
// process, under hvt at EL1 of a virtual machine whose MMU, FP and
// SIMD the tender has enabled; nothing here depends on which.

// struct epoll_event has its natural alignment on arm64: a 32-bit
// events word, then the 64-bit data at offset 8.
const (
	sptEpollEventSize = 16
	sptEpollEventData = 8
)
