// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import "mirago.dev/drivers/virtio"

// A VirtioDevice is a virtio device on either transport.
type VirtioDevice struct {
	Name      string           // for messages: "virtio-mmio slot 3", "pci 00:03.0", ...
	Transport virtio.Transport // nil if Err is set
	GSI       int              // its interrupt line, -1 if none
	Err       error            // why the device cannot be driven
}

// Interrupt routes the device's interrupt line. The device is
// acknowledged by reading its interrupt status through the transport,
// which lowers the line.
func (d *VirtioDevice) Interrupt() *Interrupt {
	t := d.Transport
	return NewInterrupt(d.GSI, func() { t.InterruptStatus() })
}
