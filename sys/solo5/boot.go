// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package solo5

// Boot information and hypercalls of the two tenders Mirago targets.
// Pointers in these structures are guest addresses (under spt, host
// virtual addresses; under hvt, guest-physical addresses, identity
// mapped).

// spt: the guest runs as a seccomp-confined host process (spt_abi.h).
// The tender maps guest memory from SPTHostMemBase, writes SPTBootInfo at
// SPTBootInfoAddr and jumps to the entry with %rdi = SPTBootInfoAddr
// (x0 on aarch64) and the stack at mem_size - 8.
const (
	SPTHostMemBase  = 0x10000 // SPT_HOST_MEM_BASE
	SPTBootInfoAddr = 0x11000 // SPT_BOOT_INFO_BASE
	SPTBootInfoSize = 40

	// SPTInternalTimerFD is the epoll data of the tender's timerfd in
	// the epoll set (SPT_INTERNAL_TIMERFD); a device's epoll data is
	// its handle.
	SPTInternalTimerFD = ^uint32(1)
)

// SPTBootInfo is struct spt_boot_info.
type SPTBootInfo struct {
	MemSize   uint64 // bytes of guest memory, from SPTHostMemBase's region start
	KernelEnd uint64 // first address after the image
	Cmdline   uint64 // address of a NUL-terminated string
	Manifest  uint64 // address of the struct mft the tender validated
	EpollFD   int32  // host fd of the epoll set that solo5_yield waits on
	TimerFD   int32  // host fd of the timerfd that bounds that wait
}

// DecodeSPTBootInfo decodes a struct spt_boot_info.
func DecodeSPTBootInfo(b []byte) (SPTBootInfo, error) {
	if len(b) < SPTBootInfoSize {
		return SPTBootInfo{}, ErrShort
	}
	return SPTBootInfo{
		MemSize:   le64(b[0:]),
		KernelEnd: le64(b[8:]),
		Cmdline:   le64(b[16:]),
		Manifest:  le64(b[24:]),
		EpollFD:   int32(le32(b[32:])),
		TimerFD:   int32(le32(b[36:])),
	}, nil
}

// hvt: the guest runs in a hardware VM in long mode with identity paging
// (hvt_abi.h, tenders/hvt/hvt_cpu_x86_64.h). The tender writes
// HVTBootInfo at HVTBootInfoAddr and enters with %rdi = HVTBootInfoAddr.
const (
	HVTBootInfoAddr = 0x10000 // X86_BOOT_INFO_BASE, AARCH64_BOOT_INFO
	HVTBootInfoSize = 56

	// HVTFeatureRingIO (HVT_FEATURE_RING_IO) in host_features and
	// guest_features: the shared network ring of Solo5 0.11 and newer.
	HVTFeatureRingIO = 1 << 0
)

// HVTBootInfo is struct hvt_boot_info.
type HVTBootInfo struct {
	MemSize       uint64
	KernelEnd     uint64
	CPUCycleFreq  uint64 // TSC (x86) or counter (arm64) frequency in Hz
	Cmdline       uint64
	Manifest      uint64
	HostFeatures  uint32 // HVTFeature* the tender offers
	GuestFeatures uint32 // HVTFeature* the guest accepts (written by the guest)
	NetRing       uint64 // guest-physical address of the net ring, or 0
}

// DecodeHVTBootInfo decodes a struct hvt_boot_info.
func DecodeHVTBootInfo(b []byte) (HVTBootInfo, error) {
	if len(b) < HVTBootInfoSize {
		return HVTBootInfo{}, ErrShort
	}
	return HVTBootInfo{
		MemSize:       le64(b[0:]),
		KernelEnd:     le64(b[8:]),
		CPUCycleFreq:  le64(b[16:]),
		Cmdline:       le64(b[24:]),
		Manifest:      le64(b[32:]),
		HostFeatures:  le32(b[40:]),
		GuestFeatures: le32(b[44:]),
		NetRing:       le64(b[48:]),
	}, nil
}

// hvt hypercalls on x86_64: the guest writes the 32-bit guest-physical
// address of the call's argument structure to I/O port
// HVTHypercallPIOBase+n with OUTL. On aarch64 it stores that address to
// HVTHypercallMMIOBase + n<<3 instead.
const (
	HVTHypercallPIOBase  = 0x500       // HVT_HYPERCALL_PIO_BASE
	HVTRingKickPIOBase   = 0x600       // HVT_RING_KICK_PIO_BASE
	HVTHypercallMMIOBase = 0x100000000 // HVT_HYPERCALL_MMIO_BASE (aarch64)
)

// Hypercall numbers (enum hvt_hypercall).
const (
	HVTHypercallWalltime   = 1
	HVTHypercallPuts       = 2
	HVTHypercallPoll       = 3
	HVTHypercallBlockWrite = 4
	HVTHypercallBlockRead  = 5
	HVTHypercallNetWrite   = 6
	HVTHypercallNetRead    = 7
	HVTHypercallHalt       = 8
)

// Sizes of the hypercall argument structures (struct hvt_hc_*). Fields
// are 8-byte words in declaration order; ret and exit_status are ints in
// the last word.
const (
	HVTWalltimeSize = 8  // nsecs
	HVTPutsSize     = 16 // data, len
	HVTPollSize     = 24 // timeout_nsecs, ready_set, ret
	HVTBlockIOSize  = 40 // handle, offset, data, len, ret
	HVTNetIOSize    = 32 // handle, data, len, ret
	HVTHaltSize     = 16 // cookie, exit_status

	// HVTHaltCookieMax is how many bytes the tender may read at a
	// halt's cookie address (HVT_HALT_COOKIE_MAX).
	HVTHaltCookieMax = 512
)
