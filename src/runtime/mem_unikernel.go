// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import "unsafe"

// Memory on a unikernel is the machine's RAM, identity mapped. The heap
// is the Plan 9 model (mem_sbrk.go): the break starts at the end of the
// image and grows up to blocMax, the end of usable RAM, which osinit
// sets from the boot memory map. The loader hands over RAM zeroed, so
// sbrk need not clear it.

func sbrk(n uintptr) unsafe.Pointer {
	bl := bloc
	n = memRound(n)
	if bl+n > blocMax || bl+n < bl {
		return nil
	}
	bloc += n
	return unsafe.Pointer(bl)
}
