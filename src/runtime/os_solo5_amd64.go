// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// What GOOS=solo5 needs of amd64 beyond os_solo5.go: the entry is
// rt0_solo5_amd64.s, the system calls and the hypercall are in
// sys_solo5_amd64.s, and the cycle counter is the TSC (cputicks, in
// asm_amd64.s).

// struct epoll_event is packed on amd64: a 32-bit events word, then
// the 64-bit data at offset 4.
const (
	sptEpollEventSize = 12
	sptEpollEventData = 4
)
