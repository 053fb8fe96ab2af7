// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Dockerdemo is what test/docker_test.go builds, runs and tests in the
// toolchain image: a program with one third-party module, so that the
// module cache's volume is exercised too.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/google/uuid"
)

func main() {
	fmt.Printf("running on %s/%s with arguments %q\n", runtime.GOOS, runtime.GOARCH, os.Args[1:])
	fmt.Println("uuid version:", version())
}

// version parses a fixed UUID, so that the output is known.
func version() int {
	return int(uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8").Version())
}
