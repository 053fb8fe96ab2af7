// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall

import "internal/devices"

// bootModules returns the boot archive on the block device initrd, the
// only boot module a Solo5 tender can pass: the linker declares the
// device for a test binary, and the exec wrapper attaches an archive of
// the working directory to it. Its contents are read into memory once,
// which files then refer to without copying.
func bootModules() (mods [][]byte, cmdlines []string) {
	b, err := devices.ReadInitrd()
	if err != nil {
		bootMessage(0, err.Error())
		return nil, nil
	}
	if b == nil {
		return nil, nil
	}
	return [][]byte{b}, []string{""}
}
