// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package os

import (
	"errors"
	"runtime"
)

// A unikernel image is booted by the hypervisor, not loaded from a
// file that the program could see, so there is no executable path.
func executable() (string, error) {
	return "", errors.New("Executable not implemented for " + runtime.GOOS + ": the program was booted, not loaded from a file")
}
