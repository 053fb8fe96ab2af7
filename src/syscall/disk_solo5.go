// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall

// GOOS=solo5 has no block device driver yet: no /dev/vda.

func hasDisk() bool                                      { return false }
func diskNode() (name string, major uint64)              { return "", 0 }
func (k *disk) size() int64                              { return 0 }
func (k *disk) readAt(p []byte, off int64) (int, error)  { return 0, ENODEV }
func (k *disk) writeAt(p []byte, off int64) (int, error) { return 0, ENODEV }
func (k *disk) sync() error                              { return ENODEV }
