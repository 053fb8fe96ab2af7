// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package dma

import (
	"testing"
	"unsafe"
)

func TestIdentityMemory(t *testing.T) {
	var m IdentityMemory
	for _, tt := range []struct{ size, align int }{{1, 1}, {17, 16}, {100, 4096}, {4096, 4096}, {3, 64}} {
		b, phys := m.Alloc(tt.size, tt.align)
		if len(b) != tt.size || cap(b) != tt.size {
			t.Errorf("Alloc(%d, %d): len %d cap %d", tt.size, tt.align, len(b), cap(b))
		}
		if phys%uint64(tt.align) != 0 || phys != uint64(uintptr(unsafe.Pointer(&b[0]))) {
			t.Errorf("Alloc(%d, %d): phys %#x, buffer at %p", tt.size, tt.align, phys, &b[0])
		}
	}
}
