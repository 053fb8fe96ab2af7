// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Hello is the smallest Mirago demo: an unmodified Go program that,
// built with GOOS=xen, boots as a virtual machine and prints its
// arguments on the serial console.
//
//	GOOS=xen GOARCH=amd64 go run ./examples/hello a b
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Println("Hello from Mirago!")
	fmt.Printf("running on %s/%s with %d arguments\n", runtime.GOOS, runtime.GOARCH, len(os.Args)-1)
	for i, a := range os.Args[1:] {
		fmt.Printf("arg %d: %q\n", i+1, a)
	}
}
