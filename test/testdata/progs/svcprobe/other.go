// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !arm64

package main

import (
	"fmt"
	"os"
)

func probe() bool {
	fmt.Println("svcprobe: SVC is an arm64 instruction")
	os.Exit(2)
	return false
}
