// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"strings"
	"testing"
)

func TestCountTranslated(t *testing.T) {
	log := `----------------
IN: 
0xfffffff0:  e9 8d ff                 jmp      0xff80

----------------
IN: 
0x00100000:  31 c0                    xorl     %eax, %eax
0x00100002:  c3                       retq     

----------------
IN: main.main
0x00100010:  55                       pushq    %rbp
0x00100011:  c3                       retq     
`
	start, main, all, own, err := countTranslated(strings.NewReader(log), addrRange{0x100000, 0x200000}, addrRange{0x100010, 0x100020})
	if err != nil {
		t.Fatal(err)
	}
	if start != 1 || main != 3 || all != 5 || own != 4 {
		t.Errorf("countTranslated = %d, %d, %d, %d; want 1, 3, 5, 4", start, main, all, own)
	}
	start, main, _, own, _ = countTranslated(strings.NewReader(log), addrRange{0x300000, 0x400000}, addrRange{0x300010, 0x300020})
	if start != -1 || main != -1 || own != 0 {
		t.Errorf("points never reached: got %d, %d and %d of the program's own; want -1, -1, 0", start, main, own)
	}
}
