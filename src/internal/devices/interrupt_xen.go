// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// NewInterrupt routes the level-triggered line gsi to this CPU. ack
// acknowledges the device so that it lowers the line (virtio: read its
// interrupt status). If the line cannot be routed, Routed reports false
// and the driver polls.
func NewInterrupt(gsi int, ack func()) *Interrupt {
	i := &Interrupt{ack: ack}
	i.line, i.routed = RouteGSI(gsi)
	return i
}
