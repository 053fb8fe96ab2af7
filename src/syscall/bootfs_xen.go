// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package syscall

// bootModules returns the boot modules and their command lines; the
// runtime provides it (os_xen_amd64.go, os_xen_arm64.go). The memory
// stays valid for the life of the program, so files refer to it
// without copying.
func bootModules() (mods [][]byte, cmdlines []string)
